/**
 * Finds the first code action in a model's reply text, incrementally as the reply streams in.
 *
 * One scanner serves both the streaming side (which prose is safe to show yet, and whether the
 * action is complete so the stream can stop) and the final parse, so the two can never disagree.
 * It works line by line for fences (a fence is only known once its line is complete: "```py" may
 * still become "```python" or "```pyx") and by substring for tags (`<execute>`,
 * `<execute_ipython>`, `<execute_bash>`…, see actionMarkup.ts), which may sit mid-line.
 * In `auto`, a closed Python fence is only an action once the first line after it shows the
 * model is not just showing the user code (see shownCode.ts). Pure: no I/O, no clock.
 */

import { type ActionLanguage, type ActionTag, closeTagOf, fenceLanguage, findOpenTag, heldBackTagStart, isCopiedCodeLabel, isPythonLanguage } from './actionMarkup';
import { showsCodeAsAnswer } from './shownCode';

export { fenceLanguage, isPythonLanguage } from './actionMarkup';

/** How the model expresses a code action (the `codeact.actionFormat` setting). */
export type ActionFormat = 'auto' | 'tags' | 'markdown' | 'tools';

export const EXECUTE_OPEN = '<execute>';
export const EXECUTE_CLOSE = '</execute>';

/**
 * Fence languages that hold data or output rather than code to run; such blocks are prose.
 * An unlabelled fence counts as data: models use them for sample output and file contents.
 */
const DATA_LANGUAGES = new Set([
  '', 'text', 'txt', 'plaintext', 'plain', 'output', 'out', 'result', 'stdout', 'stderr', 'console', 'log',
  'json', 'jsonl', 'json5', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'csv', 'tsv', 'xml', 'html', 'markdown', 'md',
  'diff', 'patch', 'pytb', 'pycon', 'traceback', 'math', 'latex', 'tex', 'mermaid', 'none',
]);

/** True for a fence language that is code in another language (bash, js, sql…): not run here. */
export function isForeignLanguage(language: string): boolean {
  return !isPythonLanguage(language) && !DATA_LANGUAGES.has(language);
}

/** The first action found in the text. Indexes are into the scanned text. */
export interface ScannedAction {
  readonly source: 'tags' | 'markdown';
  /** Where the action's markup begins: prose ends here. */
  readonly start: number;
  readonly codeStart: number;
  /** End of the code (the text's end while the action is still open). */
  readonly codeEnd: number;
  /** Just past the closing tag or fence line; undefined while the action is open or undecided. */
  readonly end: number | undefined;
  /** The fence's language ('python', 'py'…); undefined for tags. */
  readonly language: string | undefined;
  /** The tag's name ('execute', 'execute_bash'…); undefined for fences. */
  readonly tag: string | undefined;
  /** What the code is: Python, or a shell script (`<execute_bash>`). */
  readonly runs: ActionLanguage;
}

/** The first fenced block in another language (bash, js…), which is never run. */
export interface ForeignBlock {
  readonly language: string;
  readonly start: number;
}

/** The first tag recognised as an attempt to act that cannot run here (`<execute_browse>`). */
export interface UnsupportedTag {
  readonly name: string;
  readonly start: number;
}

export interface ScanSnapshot {
  /** Text before this index is prose that no later text can turn into an action. */
  readonly proseEnd: number;
  readonly action: ScannedAction | undefined;
  readonly foreignBlock: ForeignBlock | undefined;
  readonly unsupportedTag: UnsupportedTag | undefined;
  /** Python blocks the model showed as its answer, not run (auto format only). */
  readonly shownBlocks: number;
}

type Mode =
  | { readonly kind: 'prose' }
  /** `labelPending`: an unlabelled fence whose first line may still say "pythonCopy code". */
  | { readonly kind: 'fence'; readonly char: string; readonly length: number; readonly isAction: boolean; readonly labelPending: boolean }
  | { readonly kind: 'tag'; readonly close: string; readonly runnable: boolean }
  /** A Python fence closed at `closeEnd`: waiting for the first line after it (auto format). */
  | { readonly kind: 'deciding'; readonly closeEnd: number }
  | { readonly kind: 'closed' };

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
/** A closing fence, also with smolagents' `<end_code>` after it. */
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*(?:<end_code>)?[ \t]*$/i;
/** How far past a closed fence to wait for a line that says what the block was for. */
const DECISION_LOOKAHEAD = 400;

interface OpenAction {
  source: 'tags' | 'markdown';
  start: number;
  codeStart: number;
  codeEnd: number | undefined;
  end: number | undefined;
  language: string | undefined;
  tag: string | undefined;
  runs: ActionLanguage;
}

export class ReplyScanner {
  private buffer = '';
  private finished = false;
  private lineStart = 0;
  private mode: Mode = { kind: 'prose' };
  private proseEnd = 0;
  private action: OpenAction | undefined;
  private foreignBlock: ForeignBlock | undefined;
  private unsupportedTag: UnsupportedTag | undefined;
  /** The unrunnable tag being skipped: its contents are prose. */
  private skippedTagStart = 0;
  private shownBlocks = 0;
  /** A "pythonCopy code" line just before: a tag at the start of the next line begins there. */
  private labelLineStart: number | undefined;
  /** Where to resume searching for the closing tag. */
  private closeSearchFrom = 0;
  private readonly acceptsTags: boolean;
  private readonly acceptsFences: boolean;
  /** Whether a Python fence may be code shown to the user rather than an action. */
  private readonly fencesMayBeShown: boolean;

  constructor(format: ActionFormat) {
    this.acceptsTags = format === 'auto' || format === 'tags';
    this.acceptsFences = format === 'auto' || format === 'markdown';
    this.fencesMayBeShown = format === 'auto';
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
    if (this.mode.kind === 'deciding') this.decide('', this.buffer.length);
  }

  snapshot(): ScanSnapshot {
    const action = this.action && {
      source: this.action.source,
      start: this.action.start,
      codeStart: Math.min(this.action.codeStart, this.buffer.length),
      codeEnd: this.action.codeEnd ?? this.buffer.length,
      end: this.mode.kind === 'deciding' ? undefined : this.action.end,
      language: this.action.language,
      tag: this.action.tag,
      runs: this.action.runs,
    };
    return {
      proseEnd: action ? action.start : this.finished ? this.buffer.length : this.proseEnd,
      action,
      foreignBlock: this.foreignBlock,
      unsupportedTag: this.unsupportedTag,
      shownBlocks: this.shownBlocks,
    };
  }

  private advance(): void {
    for (;;) {
      if (this.mode.kind === 'closed') return;
      if (this.mode.kind === 'tag') {
        if (!this.searchCloseTag()) return;
        continue;
      }
      const newline = this.buffer.indexOf('\n', this.lineStart);
      if (newline < 0) {
        if (this.finished) {
          if (this.lineStart < this.buffer.length) this.completeLine(this.lineStart, this.buffer.length, false);
          this.lineStart = this.buffer.length;
          if (this.inTag()) continue;
        } else {
          this.partialLine(this.lineStart);
          if (this.inTag()) continue;
        }
        return;
      }
      this.completeLine(this.lineStart, newline, true);
      if (this.inTag()) continue;
      this.lineStart = newline + 1;
    }
  }

  /** True once a tag opened (line handling may switch the mode). */
  private inTag(): boolean {
    return this.mode.kind === 'tag';
  }

  /** Handles a complete line [start, end); `hasNewline` tells whether a '\n' follows it. */
  private completeLine(start: number, end: number, hasNewline: boolean): void {
    const line = this.buffer.slice(start, end).replace(/\r$/, '');
    const after = hasNewline ? end + 1 : end;
    const mode = this.mode;
    if (mode.kind === 'deciding') {
      if (line.trim() === '') return;
      if (!this.decide(line, start)) return;
    }
    if (mode.kind === 'fence') {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1]?.charAt(0) === mode.char && (close[1]?.length ?? 0) >= mode.length) {
        if (mode.isAction && this.action) {
          this.action.codeEnd = Math.max(this.action.codeStart, start - 1);
          this.action.end = after;
          this.mode = this.fencesMayBeShown ? { kind: 'deciding', closeEnd: after } : { kind: 'closed' };
          return;
        }
        this.mode = { kind: 'prose' };
        this.proseEnd = after;
        return;
      }
      if (mode.labelPending) {
        // An unlabelled fence that starts with a web UI's "pythonCopy code" holds Python.
        this.mode = { ...mode, labelPending: false };
        if (isCopiedCodeLabel(line) && /^\s*(python|py|ipython)/i.test(line)) {
          const fenceStart = this.proseEnd;
          this.mode = { ...mode, isAction: true, labelPending: false };
          this.action = { source: 'markdown', start: fenceStart, codeStart: after, codeEnd: undefined, end: undefined, language: 'python', tag: undefined, runs: 'python' };
          return;
        }
      }
      if (!mode.isAction) {
        // Inside a data or foreign block: a tag still counts (models wrap <execute> in fences).
        if (this.tryOpenTag(line, start, true)) return;
        this.proseEnd = after;
      }
      return;
    }
    if (this.mode.kind !== 'prose') return;
    if (this.acceptsFences) {
      const open = FENCE_OPEN.exec(line);
      const fence = open?.[2] ?? '';
      const info = (open?.[3] ?? '').trim();
      if (open && !(fence.startsWith('`') && info.includes('`'))) {
        const language = fenceLanguage(info);
        const isAction = isPythonLanguage(language);
        this.mode = { kind: 'fence', char: fence.charAt(0), length: fence.length, isAction, labelPending: language === '' };
        if (isAction) {
          this.action = { source: 'markdown', start, codeStart: after, codeEnd: undefined, end: undefined, language, tag: undefined, runs: 'python' };
          return;
        }
        if (!this.foreignBlock && isForeignLanguage(language)) this.foreignBlock = { language, start };
        // An unlabelled fence's opening line is held back until its first line is known.
        this.proseEnd = language === '' ? start : after;
        return;
      }
    }
    if (this.tryOpenTag(line, start, true)) return;
    // A web UI's "pythonCopy code" label is held back: before a tag it belongs to the action's markup.
    if (/copy\s*code\s*$/i.test(line) && isCopiedCodeLabel(line)) {
      this.labelLineStart = start;
      return;
    }
    this.labelLineStart = undefined;
    this.proseEnd = after;
  }

  /**
   * The first line after a closed Python fence (or '' at the end) decides whether the block was
   * an action. Returns true when it was shown to the user: the line is then read as prose.
   */
  private decide(line: string, lineStart: number): boolean {
    const action = this.action;
    if (!action) return false;
    if (!showsCodeAsAnswer(this.buffer.slice(0, action.start), line)) {
      this.mode = { kind: 'closed' };
      return false;
    }
    this.shownBlocks++;
    this.action = undefined;
    this.mode = { kind: 'prose' };
    this.proseEnd = lineStart;
    return true;
  }

  /** Handles the last, still incomplete line while more text may come. */
  private partialLine(start: number): void {
    this.readPartialLine(start);
    // A "pythonCopy code" line stays held back until the next line shows what follows it.
    if (this.mode.kind === 'prose' && this.labelLineStart !== undefined) this.proseEnd = Math.min(this.proseEnd, this.labelLineStart);
  }

  private readPartialLine(start: number): void {
    const line = this.buffer.slice(start);
    const mode = this.mode;
    if (mode.kind === 'deciding') {
      // A first sentence, or a very long line: decide on what came so far.
      const sentence = /[.?!:]["')]?(\s|$)/.test(line.trim());
      if (line.trim() === '' || (!sentence && this.buffer.length - mode.closeEnd < DECISION_LOOKAHEAD)) return;
      if (!this.decide(line, start)) return;
    }
    if (this.mode.kind === 'fence') {
      if (this.mode.labelPending) return;
      if (!this.mode.isAction && !this.tryOpenTag(line, start, false)) this.proseEnd = this.heldBackTagPrefix(line, start);
      return;
    }
    if (this.mode.kind !== 'prose') return;
    // A line that may still become a fence: hold it back until it is complete.
    if (this.acceptsFences && /^[ \t]*([`~]|$)/.test(line)) {
      this.proseEnd = start;
      return;
    }
    if (this.tryOpenTag(line, start, false)) return;
    // A line that may still become a web UI's "pythonCopy code" label: wait for its end.
    if (this.acceptsTags && /^\s*[a-z0-9+#]*\s*(c(o(p(y(\s*(c(o(d(e)?)?)?)?)?)?)?)?)?$/i.test(line)) {
      this.proseEnd = start;
      return;
    }
    this.proseEnd = this.heldBackTagPrefix(line, start);
  }

  /** The end of safe prose when the line may end in the beginning of an action tag. */
  private heldBackTagPrefix(line: string, start: number): number {
    if (!this.acceptsTags) return start + line.length;
    const held = heldBackTagStart(line);
    return start + (held ?? line.length);
  }

  /** Opens a tag at the first action tag on the line outside inline code. */
  private tryOpenTag(line: string, start: number, complete: boolean): boolean {
    if (!this.acceptsTags) return false;
    const match = findOpenTag(line, complete);
    if (!match) return false;
    const labelled = this.labelLineStart !== undefined && line.slice(0, match.index).trim() === '';
    const tagStart = labelled && this.labelLineStart !== undefined ? this.labelLineStart : start + match.index;
    const codeStart = start + match.end;
    this.closeSearchFrom = codeStart;
    this.openTag(match.tag, tagStart, codeStart);
    return true;
  }

  private openTag(tag: ActionTag, tagStart: number, codeStart: number): void {
    const close = closeTagOf(tag);
    if (tag.language === undefined) {
      // An attempt to act in a form that does not run here: remembered, its contents are prose.
      this.unsupportedTag ??= { name: tag.name, start: tagStart };
      this.skippedTagStart = tagStart;
      this.mode = { kind: 'tag', close, runnable: false };
      return;
    }
    this.action = { source: 'tags', start: tagStart, codeStart, codeEnd: undefined, end: undefined, language: undefined, tag: tag.name, runs: tag.language };
    this.mode = { kind: 'tag', close, runnable: true };
  }

  /** Looks for the open tag's closing tag; true when it closed an unrunnable tag and scanning goes on. */
  private searchCloseTag(): boolean {
    const mode = this.mode;
    if (mode.kind !== 'tag') return false;
    const found = this.buffer.slice(this.closeSearchFrom).toLowerCase().indexOf(mode.close);
    const index = found < 0 ? -1 : this.closeSearchFrom + found;
    if (index < 0) {
      // Resume where a partial closing tag could begin.
      const from = this.action && mode.runnable ? this.action.codeStart : this.skippedTagStart;
      this.closeSearchFrom = Math.max(from, this.buffer.length - mode.close.length + 1);
      if (!mode.runnable) this.proseEnd = this.skippedTagStart;
      if (!mode.runnable && this.finished) {
        this.mode = { kind: 'closed' };
        this.proseEnd = this.buffer.length;
      }
      return false;
    }
    if (mode.runnable && this.action) {
      this.action.codeEnd = index;
      this.action.end = index + mode.close.length;
      this.mode = { kind: 'closed' };
      return false;
    }
    // The unrunnable tag closed: go on reading lines after it.
    const end = index + mode.close.length;
    this.mode = { kind: 'prose' };
    this.proseEnd = end;
    this.lineStart = end;
    return true;
  }
}

/** Scans a whole reply at once. `complete` false treats it as still streaming. */
export function scanReply(text: string, format: ActionFormat, complete = true): ScanSnapshot {
  const scanner = new ReplyScanner(format);
  scanner.append(text);
  if (complete) scanner.finish();
  return scanner.snapshot();
}
