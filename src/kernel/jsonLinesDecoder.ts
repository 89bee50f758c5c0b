/**
 * Splits a byte stream into JSON values, one per line. Chunks may end mid-line or even
 * mid-character; a line may be megabytes long (a 10 MB print is one line), so the pieces of
 * an unfinished line are kept as a list and joined once, never re-concatenated per chunk.
 */
export class JsonLinesDecoder {
  private pieces: Buffer[] = [];

  /**
   * @param onValue receives each parsed line.
   * @param onInvalidLine receives a line that is not JSON (kept short for logging).
   */
  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly onInvalidLine: (excerpt: string) => void = () => undefined,
  ) {}

  /** Feeds the next chunk; complete lines are delivered before this returns. */
  push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a, start); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      this.pieces.push(chunk.subarray(start, newline));
      this.deliver(Buffer.concat(this.pieces));
      this.pieces = [];
      start = newline + 1;
    }
    if (start < chunk.length) this.pieces.push(chunk.subarray(start));
  }

  /** Delivers a last line that had no newline (call when the stream ends). */
  end(): void {
    if (this.pieces.length === 0) return;
    const rest = Buffer.concat(this.pieces);
    this.pieces = [];
    this.deliver(rest);
  }

  private deliver(line: Buffer): void {
    const text = line.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.onInvalidLine(text.length > 200 ? `${text.slice(0, 200)}…` : text);
      return;
    }
    this.onValue(value);
  }
}
