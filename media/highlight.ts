/**
 * A small Python highlighter, line by line. Each line is tokenized from the state the previous
 * line ended in (inside a triple-quoted string or not), so a code block that is still streaming
 * can be highlighted one completed line at a time and end up identical to highlighting it whole.
 * Output is DOM (spans with `tok-*` classes and text nodes), never an HTML string.
 *
 * Direction controls and invisible characters never reach the DOM as themselves: each becomes
 * a marker (see `InvisibleStyle`), so the code reads in the order it runs and nothing hides.
 */
import { codePointLabel, describeCharacter, hasInvisibleCharacters, splitAtInvisibleCharacters } from '../src/shared/invisibleCharacters';

export type TokenKind = 'keyword' | 'control' | 'constant' | 'builtin' | 'string' | 'comment' | 'number' | 'function' | 'class' | 'decorator' | 'self';

export interface HighlightToken {
  readonly text: string;
  readonly kind?: TokenKind;
}

/** Where a line ends: inside a triple-quoted string (and which quote closes it) or not. */
export interface LineState {
  readonly openTriple?: '"""' | "'''";
}

const KEYWORDS = new Set(['and', 'as', 'assert', 'async', 'class', 'def', 'del', 'from', 'global', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or']);
const CONTROL = new Set(['await', 'break', 'continue', 'elif', 'else', 'except', 'finally', 'for', 'if', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);
const SOFT_CONTROL = new Set(['match', 'case']);
const CONSTANTS = new Set(['True', 'False', 'None', 'Ellipsis', 'NotImplemented']);
const SELF = new Set(['self', 'cls']);
const BUILTINS = new Set(
  ('abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod enumerate ' +
    'eval exec filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len list ' +
    'locals map max memoryview min next object oct open ord pow print property range repr reversed round set setattr slice sorted ' +
    'staticmethod str sum super tuple type vars zip display ' +
    'Exception BaseException ValueError TypeError KeyError IndexError AttributeError RuntimeError StopIteration ImportError ' +
    'ModuleNotFoundError FileNotFoundError OSError ZeroDivisionError NotImplementedError AssertionError KeyboardInterrupt').split(' '),
);

const STRING_START = /([rRbBuUfF]{0,2})("""|'''|"|')/y;
const NUMBER = /(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/y;
const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/uy;
const DECORATOR = /@[\p{L}_][\p{L}\p{N}_.]*/uy;
const SPACES = /[ \t]+/y;

function matchAt(pattern: RegExp, line: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(line);
}

/** Index just past the closing quote of a one-line string starting after its opening quote. */
function endOfShortString(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
  }
  return line.length;
}

/** Index just past the closing triple quote, or -1 when the string goes on to the next line. */
function endOfTripleString(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line.startsWith(quote, i)) return i + 3;
  }
  return -1;
}

/** Tokenizes one line (without its newline) starting in `state`. */
export function tokenizeLine(line: string, state: LineState): { tokens: HighlightToken[]; state: LineState } {
  const tokens: HighlightToken[] = [];
  const push = (text: string, kind?: TokenKind): void => {
    if (!text) return;
    const last = tokens[tokens.length - 1];
    if (!kind && last && !last.kind) tokens[tokens.length - 1] = { text: last.text + text };
    else tokens.push(kind ? { text, kind } : { text });
  };
  let index = 0;
  if (state.openTriple) {
    const end = endOfTripleString(line, 0, state.openTriple);
    if (end < 0) {
      push(line, 'string');
      return { tokens, state };
    }
    push(line.slice(0, end), 'string');
    index = end;
  }
  let previousWord = '';
  let atLineStart = line.slice(0, index).trim() === '';
  while (index < line.length) {
    const ch = line[index] ?? '';
    const spaces = matchAt(SPACES, line, index);
    if (spaces) {
      push(spaces[0]);
      index += spaces[0].length;
      continue;
    }
    if (ch === '#') {
      push(line.slice(index), 'comment');
      break;
    }
    const string = matchAt(STRING_START, line, index);
    if (string) {
      const quote = string[2] ?? '"';
      const bodyStart = index + string[0].length;
      if (quote.length === 3) {
        const end = endOfTripleString(line, bodyStart, quote);
        if (end < 0) {
          push(line.slice(index), 'string');
          return { tokens, state: { openTriple: quote as '"""' | "'''" } };
        }
        push(line.slice(index, end), 'string');
        index = end;
      } else {
        const end = endOfShortString(line, bodyStart, quote);
        push(line.slice(index, end), 'string');
        index = end;
      }
      previousWord = '';
      atLineStart = false;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(line[index + 1] ?? ''))) {
      const number = matchAt(NUMBER, line, index);
      if (number && number[0]) {
        push(number[0], 'number');
        index += number[0].length;
        previousWord = '';
        atLineStart = false;
        continue;
      }
    }
    if ((ch === '!' || ch === '%') && atLineStart) {
      // IPython shell commands and magics.
      push(line.slice(index), 'decorator');
      break;
    }
    if (ch === '@' && atLineStart) {
      const decorator = matchAt(DECORATOR, line, index);
      if (decorator) {
        push(decorator[0], 'decorator');
        index += decorator[0].length;
        atLineStart = false;
        continue;
      }
    }
    const word = matchAt(IDENTIFIER, line, index);
    if (word) {
      const text = word[0];
      index += text.length;
      push(text, classifyWord(text, previousWord, atLineStart, line, index));
      previousWord = text;
      atLineStart = false;
      continue;
    }
    push(ch);
    index += ch.length || 1;
    previousWord = '';
    atLineStart = false;
  }
  return { tokens, state: {} };
}

function classifyWord(word: string, previousWord: string, atLineStart: boolean, line: string, end: number): TokenKind | undefined {
  if (previousWord === 'def') return 'function';
  if (previousWord === 'class') return 'class';
  if (KEYWORDS.has(word)) return 'keyword';
  if (CONTROL.has(word)) return 'control';
  if (SOFT_CONTROL.has(word) && atLineStart && /^\s+[^\s=.(:]/.test(line.slice(end))) return 'control';
  if (CONSTANTS.has(word)) return 'constant';
  if (SELF.has(word)) return 'self';
  const isCall = /^\s*\(/.test(line.slice(end));
  if (BUILTINS.has(word)) return isCall || /^[A-Z]/.test(word) ? 'builtin' : undefined;
  return isCall ? 'function' : undefined;
}

/**
 * How an invisible or direction-changing character is shown: `label` a highlighted ⟪U+202E⟫
 * (read-only code); `mark` a highlighted bar of no width, for the editor's mirror, which must
 * keep each character where the transparent textarea above it draws it.
 */
export type InvisibleStyle = 'label' | 'mark';

function invisibleMarker(character: string, style: InvisibleStyle): HTMLElement {
  const marker = document.createElement('span');
  marker.className = `invisible-char invisible-char-${style}`;
  marker.title = `${describeCharacter(character)}: hidden in the code, shown here`;
  if (style === 'label') marker.textContent = `\u27EA${codePointLabel(character)}\u27EB`;
  return marker;
}

function appendText(parent: Node, text: string, style: InvisibleStyle): void {
  if (!hasInvisibleCharacters(text)) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  for (const piece of splitAtInvisibleCharacters(text)) parent.appendChild(piece.invisible ? invisibleMarker(piece.text, style) : document.createTextNode(piece.text));
}

/** Appends tokens to `parent` as text nodes and `span.tok-*` elements. */
export function appendTokens(parent: Node, tokens: readonly HighlightToken[], style: InvisibleStyle = 'label'): void {
  for (const token of tokens) {
    if (token.kind) {
      const span = document.createElement('span');
      span.className = `tok-${token.kind}`;
      appendText(span, token.text, style);
      parent.appendChild(span);
    } else {
      appendText(parent, token.text, style);
    }
  }
}

/** Highlights whole lines one after another, carrying the state between them. */
export class PythonLineHighlighter {
  private state: LineState = {};

  constructor(private readonly style: InvisibleStyle = 'label') {}

  /** Appends one line; `newline` adds the line break after it. */
  appendLine(parent: Node, line: string, newline: boolean): void {
    const result = tokenizeLine(line, this.state);
    this.state = result.state;
    appendTokens(parent, result.tokens, this.style);
    if (newline) parent.appendChild(document.createTextNode('\n'));
  }

  /** Renders a line that is not finished yet, without advancing the state. */
  previewLine(parent: Node, line: string): void {
    appendTokens(parent, tokenizeLine(line, this.state).tokens, this.style);
  }
}

/** Highlights a whole Python source into a fragment. */
export function highlightPython(code: string, style: InvisibleStyle = 'label'): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const highlighter = new PythonLineHighlighter(style);
  const lines = code.split('\n');
  lines.forEach((line, i) => highlighter.appendLine(fragment, line, i < lines.length - 1));
  return fragment;
}

/** Whether a fenced block's language is one this highlighter handles. */
export function isPythonLanguage(language: string | undefined): boolean {
  return language !== undefined && /^(python3?|py|ipython3?|pycon|jupyter)$/i.test(language);
}
