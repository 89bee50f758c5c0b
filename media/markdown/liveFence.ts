import { h } from '../dom';
import { PythonLineHighlighter, isPythonLanguage } from '../highlight';
import { codeBlockFrame } from './codeBlock';

/** An opening fence line: up to three spaces, three or more backticks or tildes, an info string. */
const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})([^\n]*)\n/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A fenced code block that is still streaming. Completed lines are highlighted once and kept;
 * only the unfinished last line is redrawn per delta, so a long block costs linear time. When
 * the closing fence arrives the owner replaces this DOM with the normal rendering of the block.
 */
export class LiveFence {
  readonly element: HTMLElement;
  private readonly code: HTMLElement;
  private readonly partial = h('span', { className: 'live-line' });
  private readonly highlighter: PythonLineHighlighter | undefined;
  private readonly closing: RegExp;
  private consumed: number;

  private constructor(
    /** Offset in the full text where the opening fence line starts. */
    readonly start: number,
    bodyStart: number,
    private readonly indent: number,
    fence: string,
    language: string | undefined,
  ) {
    this.consumed = bodyStart;
    this.closing = new RegExp(`^ {0,3}${escapeRegExp(fence)}[~\`]* *$`);
    this.highlighter = isPythonLanguage(language) ? new PythonLineHighlighter() : undefined;
    this.code = h('code', language ? { attrs: { class: `language-${language}` } } : {});
    this.code.append(this.partial);
    this.element = codeBlockFrame(h('pre', {}, this.code), this.code, language);
  }

  /** Starts a live fence when `tail` (beginning at `offset` in the text) opens with a complete fence line. */
  static open(tail: string, offset: number): LiveFence | undefined {
    const match = OPENING_FENCE.exec(tail);
    if (!match) return undefined;
    const [line, indent = '', fence = '', info = ''] = match;
    if (fence.startsWith('`') && info.includes('`')) return undefined;
    const language = info.trim().split(/\s+/)[0] || undefined;
    return new LiveFence(offset, offset + line.length, indent.length, fence, language);
  }

  /**
   * Takes in the text streamed so far. Returns the offset just past the closing fence line once
   * it has arrived (the block is complete), otherwise undefined.
   */
  feed(text: string): number | undefined {
    let newline = text.indexOf('\n', this.consumed);
    while (newline !== -1) {
      const line = text.slice(this.consumed, newline);
      if (this.closing.test(line)) return newline + 1;
      this.appendLine(this.stripIndent(line));
      this.consumed = newline + 1;
      newline = text.indexOf('\n', this.consumed);
    }
    this.partial.replaceChildren();
    const rest = this.stripIndent(text.slice(this.consumed));
    if (this.highlighter) this.highlighter.previewLine(this.partial, rest);
    else this.partial.textContent = rest;
    return undefined;
  }

  private appendLine(line: string): void {
    const done = document.createDocumentFragment();
    if (this.highlighter) this.highlighter.appendLine(done, line, true);
    else done.append(`${line}\n`);
    this.partial.before(done);
  }

  /** Removes the opening fence's indentation from a content line, as CommonMark does. */
  private stripIndent(line: string): string {
    let strip = 0;
    while (strip < this.indent && line[strip] === ' ') strip++;
    return line.slice(strip);
  }
}
