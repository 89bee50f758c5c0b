/**
 * Finds the first code action in a model's reply text, incrementally as the reply streams in.
 *
 * One scanner serves both the streaming side (which prose is safe to show yet, and whether the
 * action is complete so the stream can stop) and the final parse, so the two can never disagree.
 * It works line by line for fences (a fence is only known once its line is complete: "```py" may
 * still become "```python" or "```pyx") and by substring for `<execute>` tags, which may sit
 * mid-line. Pure: no I/O, no clock.
 */

/** How the model expresses a code action (the `codeact.actionFormat` setting). */
export type ActionFormat = 'auto' | 'tags' | 'markdown' | 'tools';

export const EXECUTE_OPEN = '<execute>';
export const EXECUTE_CLOSE = '</execute>';

/** Fence languages that run as Python in the kernel. */
const PYTHON_LANGUAGES = new Set(['python', 'python3', 'py', 'py3', 'ipython', 'ipython3']);

/**
 * Fence languages that hold data or output rather than code to run; such blocks are prose.
 * An unlabelled fence counts as data: models use them for sample output and file contents.
 */
const DATA_LANGUAGES = new Set([
  '', 'text', 'txt', 'plaintext', 'plain', 'output', 'out', 'result', 'stdout', 'stderr', 'console', 'log',
  'json', 'jsonl', 'json5', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'csv', 'tsv', 'xml', 'html', 'markdown', 'md',
  'diff', 'patch', 'pytb', 'pycon', 'traceback', 'math', 'latex', 'tex', 'mermaid', 'none',
]);

export function isPythonLanguage(language: string): boolean {
  return PYTHON_LANGUAGES.has(language);
}

/** True for a fence language that is code in another language (bash, js, sql…): not run here. */
export function isForeignLanguage(language: string): boolean {
  return !PYTHON_LANGUAGES.has(language) && !DATA_LANGUAGES.has(language);
}

/** The first action found in the text. Indexes are into the scanned text. */
export interface ScannedAction {
  readonly source: 'tags' | 'markdown';
  /** Where the action's markup begins: prose ends here. */
  readonly start: number;
  readonly codeStart: number;
  /** End of the code (the text's end while the action is still open). */
  readonly codeEnd: number;
  /** Just past the closing tag or fence line; undefined while the action is open. */
  readonly end: number | undefined;
  /** The fence's language ('python', 'py'…); undefined for tags. */
  readonly language: string | undefined;
}

/** The first fenced block in another language (bash, js…), which is never run. */
export interface ForeignBlock {
  readonly language: string;
  readonly start: number;
}

export interface ScanSnapshot {
  /** Text before this index is prose that no later text can turn into an action. */
  readonly proseEnd: number;
  readonly action: ScannedAction | undefined;
  readonly foreignBlock: ForeignBlock | undefined;
}

type Mode =
  | { readonly kind: 'prose' }
  | { readonly kind: 'fence'; readonly char: string; readonly length: number; readonly isAction: boolean }
  | { readonly kind: 'tag' }
  | { readonly kind: 'closed' };

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

export class ReplyScanner {
  private buffer = '';
  private finished = false;
  private lineStart = 0;
  private mode: Mode = { kind: 'prose' };
  private proseEnd = 0;
  private action: { source: 'tags' | 'markdown'; start: number; codeStart: number; codeEnd: number | undefined; end: number | undefined; language: string | undefined } | undefined;
  private foreignBlock: ForeignBlock | undefined;
  /** Where to resume searching for `</execute>`. */
  private closeSearchFrom = 0;
  private readonly acceptsTags: boolean;
  private readonly acceptsFences: boolean;

  constructor(format: ActionFormat) {
    this.acceptsTags = format === 'auto' || format === 'tags';
    this.acceptsFences = format === 'auto' || format === 'markdown';
  }

  get text(): string {
    return this.buffer;
  }

  append(delta: string): void {
    if (this.finished) throw new Error('ReplyScanner: append after finish');
    this.buffer += delta;
    this.advance();
  }

  /** Marks the end of the reply: a last line without a newline now counts as complete. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.advance();
  }

  snapshot(): ScanSnapshot {
    const action = this.action && {
      source: this.action.source,
      start: this.action.start,
      codeStart: Math.min(this.action.codeStart, this.buffer.length),
      codeEnd: this.action.codeEnd ?? this.buffer.length,
      end: this.action.end,
      language: this.action.language,
    };
    return {
      proseEnd: action ? action.start : this.finished ? this.buffer.length : this.proseEnd,
      action,
      foreignBlock: this.foreignBlock,
    };
  }

  private advance(): void {
    for (;;) {
      if (this.mode.kind === 'closed') return;
      if (this.mode.kind === 'tag') {
        this.searchCloseTag();
        return;
      }
      const newline = this.buffer.indexOf('\n', this.lineStart);
      if (newline < 0) {
        if (this.finished) {
          if (this.lineStart < this.buffer.length) this.completeLine(this.lineStart, this.buffer.length, false);
          this.lineStart = this.buffer.length;
          if (this.openedTag()) continue;
        } else {
          this.partialLine(this.lineStart);
          if (this.openedTag()) continue;
        }
        return;
      }
      this.completeLine(this.lineStart, newline, true);
      if (this.openedTag()) continue;
      this.lineStart = newline + 1;
    }
  }

  /** True once a `<execute>` tag opened (line handling may switch the mode). */
  private openedTag(): boolean {
    return this.mode.kind === 'tag';
  }

  /** Handles a complete line [start, end); `hasNewline` tells whether a '\n' follows it. */
  private completeLine(start: number, end: number, hasNewline: boolean): void {
    const line = this.buffer.slice(start, end).replace(/\r$/, '');
    const after = hasNewline ? end + 1 : end;
    const mode = this.mode;
    if (mode.kind === 'fence') {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1]?.charAt(0) === mode.char && (close[1]?.length ?? 0) >= mode.length) {
        if (mode.isAction && this.action) {
          this.action.codeEnd = Math.max(this.action.codeStart, start - 1);
          this.action.end = after;
          this.mode = { kind: 'closed' };
          return;
        }
        this.mode = { kind: 'prose' };
        this.proseEnd = after;
        return;
      }
      if (!mode.isAction) {
        // Inside a data or foreign block: a tag still counts (models wrap <execute> in fences).
        if (this.tryOpenTag(line, start)) return;
        this.proseEnd = after;
      }
      return;
    }
    if (mode.kind !== 'prose') return;
    if (this.acceptsFences) {
      const open = FENCE_OPEN.exec(line);
      const fence = open?.[2] ?? '';
      const info = (open?.[3] ?? '').trim();
      if (open && !(fence.startsWith('`') && info.includes('`'))) {
        const language = fenceLanguage(info);
        const isAction = isPythonLanguage(language);
        this.mode = { kind: 'fence', char: fence.charAt(0), length: fence.length, isAction };
        if (isAction) {
          this.action = { source: 'markdown', start, codeStart: after, codeEnd: undefined, end: undefined, language };
          return;
        }
        if (!this.foreignBlock && isForeignLanguage(language)) this.foreignBlock = { language, start };
        this.proseEnd = after;
        return;
      }
    }
    if (this.tryOpenTag(line, start)) return;
    this.proseEnd = after;
  }

  /** Handles the last, still incomplete line while more text may come. */
  private partialLine(start: number): void {
    const line = this.buffer.slice(start);
    if (this.mode.kind === 'fence') {
      if (!this.mode.isAction && !this.tryOpenTag(line, start)) this.proseEnd = this.heldBackTagPrefix(line, start);
      return;
    }
    if (this.mode.kind !== 'prose') return;
    // A line that may still become a fence: hold it back until it is complete.
    if (this.acceptsFences && /^[ \t]*([`~]|$)/.test(line)) {
      this.proseEnd = start;
      return;
    }
    if (this.tryOpenTag(line, start)) return;
    this.proseEnd = this.heldBackTagPrefix(line, start);
  }

  /** The end of safe prose when the line may end in the beginning of "<execute>". */
  private heldBackTagPrefix(line: string, start: number): number {
    if (!this.acceptsTags) return start + line.length;
    const lower = line.toLowerCase();
    for (let i = Math.max(0, line.length - EXECUTE_OPEN.length + 1); i < line.length; i++) {
      if (lower.charAt(i) === '<' && EXECUTE_OPEN.startsWith(lower.slice(i))) return start + i;
    }
    return start + line.length;
  }

  /** Opens a tag action at the first `<execute>` on the line outside inline code. */
  private tryOpenTag(line: string, start: number): boolean {
    if (!this.acceptsTags) return false;
    const lower = line.toLowerCase();
    let from = 0;
    for (;;) {
      const index = lower.indexOf(EXECUTE_OPEN, from);
      if (index < 0) return false;
      const backticksBefore = (line.slice(0, index).match(/`/g) ?? []).length;
      if (backticksBefore % 2 === 0) {
        const tagStart = start + index;
        const codeStart = tagStart + EXECUTE_OPEN.length;
        this.action = { source: 'tags', start: tagStart, codeStart, codeEnd: undefined, end: undefined, language: undefined };
        this.closeSearchFrom = codeStart;
        this.mode = { kind: 'tag' };
        return true;
      }
      from = index + EXECUTE_OPEN.length;
    }
  }

  private searchCloseTag(): void {
    if (!this.action) return;
    const found = this.buffer.slice(this.closeSearchFrom).toLowerCase().indexOf(EXECUTE_CLOSE);
    const index = found < 0 ? -1 : this.closeSearchFrom + found;
    if (index >= 0) {
      this.action.codeEnd = index;
      this.action.end = index + EXECUTE_CLOSE.length;
      this.mode = { kind: 'closed' };
      return;
    }
    // Resume where a partial "</execute" could begin.
    this.closeSearchFrom = Math.max(this.action.codeStart, this.buffer.length - EXECUTE_CLOSE.length + 1);
  }
}

/** The language of a fence's info string: its first word, lower-cased ("{python}" → "python"). */
export function fenceLanguage(info: string): string {
  const first = info.trim().split(/\s+/)[0] ?? '';
  return first.replace(/^\{\.?|\}$/g, '').replace(/^\./, '').toLowerCase();
}

/** Scans a whole reply at once. `complete` false treats it as still streaming. */
export function scanReply(text: string, format: ActionFormat, complete = true): ScanSnapshot {
  const scanner = new ReplyScanner(format);
  scanner.append(text);
  if (complete) scanner.finish();
  return scanner.snapshot();
}
