/**
 * A lexical view of Python source for the risky-code check: string literals and comments are
 * blanked out (so `print("rm -rf")` and `# os.remove(x)` cannot match), IPython escape lines
 * (`!cmd`, `%magic`) are lifted out before they confuse the tokenizer, and offsets, line
 * numbers and string values stay available for the few rules that need them.
 *
 * Not a parser: it knows quotes, comments, brackets and line structure, which is all the check
 * needs and keeps it robust to code that does not compile.
 */

export interface StringLiteral {
  /** Offsets in the source, from the prefix (`rb"`) to after the closing quote. */
  readonly start: number;
  readonly end: number;
  /** The contents, with the common escapes decoded unless the literal is raw. */
  readonly value: string;
  /** An f-string (or t-string): its `{expressions}` run as code. */
  readonly formatted: boolean;
}

/**
 * An IPython escape line, with its text from the `!` or `%` on. `unknownCommand`: a one-line
 * cell like `nuke ~/data`, not Python, whose first word IPython may run as a shell alias or a
 * magic the check does not know; its text is the line as written.
 */
export interface EscapeLine {
  readonly line: number;
  readonly text: string;
  readonly kind?: 'unknownCommand';
}

/** A statement: a logical line (brackets and `\` continue it) or a part of one between `;`. */
export interface Statement {
  readonly start: number;
  readonly end: number;
}

export interface MaskedSource {
  /**
   * The source with the same length and line breaks: every literal becomes `"` + blanks + `"`,
   * comments and escape lines become blanks.
   */
  readonly text: string;
  readonly strings: readonly StringLiteral[];
  readonly escapes: readonly EscapeLine[];
  readonly statements: readonly Statement[];
  /** 1-based line of an offset. */
  lineOf(offset: number): number;
}

/** An argument of a call, as offsets into the masked text. */
export interface CallArgument {
  readonly start: number;
  readonly end: number;
  /** The keyword of `name=value`, undefined for a positional argument. */
  readonly keyword: string | undefined;
  /** Where the value starts (after `name=`). */
  readonly valueStart: number;
}

const STRING_START = /(?:[rR][bBfFtT]?|[bBfFtT][rR]?|[uU])?('''|"""|'|")/y;

/** Words that follow a name in valid Python (`rm in files`, `x if y else z`). */
const PYTHON_CONTINUATION = String.raw`(?!(?:if|else|and|or|in|is|not|for|as)\b)`;
/**
 * Magics that act on files or the shell, which IPython also runs written without `%`
 * (automagic: `system rm -rf x`, `cp a ~/.bashrc`). Plain Python cannot contain `name word`,
 * so reading these as magics on any line never misreads valid Python.
 */
const SHELL_AUTOMAGIC = new RegExp(String.raw`^(?:rm|rmdir|mv|cp|mkdir|system|sx|sc|alias|run|rerun|store|save|logstart)\s+${PYTHON_CONTINUATION}(?:-[A-Za-z]+\s+)*[\w~./"'$]`);
/** `name rest`: a word, a space, then something that cannot continue a Python expression. */
const BARE_COMMAND = new RegExp(String.raw`^([A-Za-z_]\w*)\s+${PYTHON_CONTINUATION}[^\s=<>!+\-*/%&|^@.,:;()[\]{}#]`);
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type print exec'.split(' '),
);
/**
 * IPython's line magics that are harmless written without `%` in a one-line cell
 * (`matplotlib inline`, `pip list`); the risky ones are read as magics instead.
 */
const KNOWN_MAGICS = new Set(
  (
    'matplotlib pylab load_ext reload_ext unload_ext autoreload aimport env cd pwd who whos who_ls history hist config precision ' +
    'pprint xmode colors autocall automagic lsmagic magic page pinfo pinfo2 pdef pdoc psource pfile psearch quickref reset ' +
    'reset_selective timeit time prun doctest_mode dirs dhist pushd popd bookmark ls ll lf lk ldir lx cat clear less more man ' +
    'load recall store tb unalias gui debug pdb autoawait autosave connect_info pip conda mamba micromamba uv capture memit ' +
    'lprun mprun notebook killbgscripts alias_magic code_wrap edit sql'
  ).split(' '),
);

/**
 * Lines IPython runs as something other than Python: `!cmd`, `%magic`, `x = !cmd`, the
 * automagic forms `pip install x`, `rm -rf x`, `system cmd`, and, when the whole cell is this
 * one line, any `word args` that is not Python (IPython runs a one-line cell's first word as a
 * magic or a shell alias, e.g. one defined earlier with `%alias`).
 */
function escapeText(line: string, wholeCell: boolean): { text: string; kind?: 'unknownCommand' } | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('!') || trimmed.startsWith('%')) return { text: trimmed };
  const assigned = /^[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*([!%].*)$/.exec(trimmed);
  if (assigned?.[1] !== undefined) return { text: assigned[1].trimEnd() };
  if (/^(?:pip3?|conda|mamba|micromamba)\s+(?:install|uninstall|remove|update|upgrade|create)\b/.test(trimmed)) return { text: `%${trimmed}` };
  if (SHELL_AUTOMAGIC.test(trimmed)) return { text: `%${trimmed}` };
  const command = wholeCell ? BARE_COMMAND.exec(trimmed)?.[1] : undefined;
  if (command === undefined || PYTHON_KEYWORDS.has(command)) return undefined;
  return KNOWN_MAGICS.has(command) ? { text: `%${trimmed}` } : { text: trimmed, kind: 'unknownCommand' };
}

/** Decodes the escapes that matter for reading commands and paths; others stay as written. */
function decodeEscapes(body: string): string {
  const simple: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };
  return body.replace(/\\([\s\S])/g, (whole, ch: string) => simple[ch] ?? whole);
}

/** A string literal opening at some offset: its prefix (`rb`, `f`), quote and where it ends. */
interface LiteralOpening {
  readonly prefix: string;
  readonly quote: string;
  readonly quoteAt: number;
  /** After the closing quote (or at the line end of an unterminated one-line literal). */
  readonly end: number;
}

/** The string literal that opens at `at`, if one does (the caller checks it is not mid-name). */
function literalAt(code: string, at: number): LiteralOpening | undefined {
  STRING_START.lastIndex = at;
  const opening = STRING_START.exec(code);
  const quote = opening?.[1];
  if (opening === null || quote === undefined) return undefined;
  const prefix = opening[0].slice(0, opening[0].length - quote.length);
  const quoteAt = at + prefix.length;
  return { prefix, quote, quoteAt, end: literalEnd(code, quoteAt, quote, /[fFtT]/.test(prefix)) };
}

/**
 * Finds where a string literal that opens at `quoteAt` ends (after its closing quote). The
 * `{expressions}` of an f-string (or t-string) are code, and may hold strings with the same
 * quote since Python 3.12 (`f"{d["k"]}"`, PEP 701): they are skipped, not read as the end.
 * A field that does not close where it should falls back to the pre-3.12 reading (the next
 * matching quote ends the literal), so a malformed field never hides the code after it.
 */
function literalEnd(code: string, quoteAt: number, quote: string, formatted: boolean): number {
  let i = quoteAt + quote.length;
  while (i < code.length) {
    const ch = code[i];
    if (ch === '\\') {
      i += 2; // an escaped quote or newline never ends a literal, raw or not
      continue;
    }
    if (formatted && ch === '{') {
      if (code[i + 1] === '{') {
        i += 2;
        continue;
      }
      const end = replacementFieldEnd(code, i + 1, quote.length === 1);
      if (end === undefined) return literalEnd(code, quoteAt, quote, false);
      i = end;
      continue;
    }
    if (code.startsWith(quote, i)) return i + quote.length;
    if (ch === '\n' && quote.length === 1) return i; // unterminated: stop at the line end
    i++;
  }
  return code.length;
}

/**
 * After the `}` that closes the replacement field whose `{` is just before `from`, or
 * undefined when it does not close (a one-line f-string's field never runs past its line).
 * After the expression's own `:` or `!conversion` comes the format spec, which is text: a
 * quote there is a fill character (`{n:'>8}`), not the start of a string.
 */
function replacementFieldEnd(code: string, from: number, oneLine: boolean): number | undefined {
  let depth = 0; // brackets opened inside the expression
  let i = from;
  while (i < code.length) {
    const ch = code[i];
    if (ch === '\n' && oneLine) return undefined;
    if (depth === 0 && ch === '}') return i + 1;
    if (depth === 0 && (ch === ':' || (ch === '!' && code[i + 1] !== '='))) return formatSpecEnd(code, i + 1, oneLine);
    const literal = isIdentChar(code[i - 1]) ? undefined : literalAt(code, i);
    if (literal) {
      i = literal.end;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    i++;
  }
  return undefined;
}

/** After the `}` that ends a format spec starting at `from`; nested `{fields}` are code again. */
function formatSpecEnd(code: string, from: number, oneLine: boolean): number | undefined {
  let i = from;
  while (i < code.length) {
    const ch = code[i];
    if (ch === '\n' && oneLine) return undefined;
    if (ch === '}') return i + 1;
    if (ch === '{') {
      const end = replacementFieldEnd(code, i + 1, oneLine);
      if (end === undefined) return undefined;
      i = end;
      continue;
    }
    i++;
  }
  return undefined;
}

/** Blanks `[from, to)` in `chars`, keeping line breaks. */
function blank(chars: string[], from: number, to: number): void {
  for (let k = from; k < to; k++) if (chars[k] !== '\n') chars[k] = ' ';
}

const isIdentChar = (ch: string | undefined): boolean => ch !== undefined && /[\w]/.test(ch);

/** Masks strings, comments and IPython escape lines; see {@link MaskedSource}. */
export function maskPython(code: string): MaskedSource {
  // UTF-16 units, like every offset here (a spread would split by code points).
  const work = code.split('');
  const strings: StringLiteral[] = [];
  const escapes: EscapeLine[] = [];
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  // IPython's automagic only reads a cell that is one line.
  const oneLine = !code.trim().includes('\n');
  let depth = 0;
  let atLogicalStart = true;
  let i = 0;
  while (i < code.length) {
    if (atLogicalStart && depth === 0) {
      atLogicalStart = false;
      const eol = code.indexOf('\n', i) === -1 ? code.length : code.indexOf('\n', i);
      const escape = escapeText(code.slice(i, eol), oneLine);
      if (escape !== undefined) {
        escapes.push({ line: lineOf(i), ...escape });
        blank(work, i, eol);
        i = eol;
        continue;
      }
    }
    const ch = code[i];
    if (ch === '\n') {
      if (depth === 0) atLogicalStart = true;
      i++;
      continue;
    }
    if (ch === '\\' && code[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (ch === '#') {
      const eol = code.indexOf('\n', i) === -1 ? code.length : code.indexOf('\n', i);
      blank(work, i, eol);
      i = eol;
      continue;
    }
    const literal = isIdentChar(code[i - 1]) ? undefined : literalAt(code, i);
    if (literal) {
      const { prefix, quote, quoteAt, end } = literal;
      const closed = code.startsWith(quote, end - quote.length) && end - quote.length >= quoteAt + quote.length;
      const body = code.slice(quoteAt + quote.length, closed ? end - quote.length : end);
      strings.push({ start: i, end, value: /[rR]/.test(prefix) ? body : decodeEscapes(body), formatted: /[fFtT]/.test(prefix) });
      blank(work, i, end);
      work[i] = '"';
      if (end - 1 > i && work[end - 1] !== '\n') work[end - 1] = '"';
      i = end;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    i++;
  }
  const text = work.join('');
  return { text, strings, escapes, statements: splitStatements(text), lineOf };
}

/** Splits masked text into statements at line ends outside brackets and at `;`. */
function splitStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let depth = 0;
  let start = 0;
  const close = (end: number): void => {
    if (text.slice(start, end).trim() !== '') statements.push({ start, end });
    start = end + 1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && ch === ';') close(i);
    else if (depth === 0 && ch === '\n' && text[i - 1] !== '\\') close(i);
  }
  close(text.length);
  return statements;
}

/** The offset of the bracket closing the one at `open`, or the text's length if unclosed. */
export function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return text.length;
}

/** The arguments of the call whose parentheses are at `open` and `close`. */
export function callArguments(text: string, open: number, close: number): CallArgument[] {
  const args: CallArgument[] = [];
  let depth = 0;
  let start = open + 1;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    if (raw.trim() !== '') {
      const keyword = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(raw);
      args.push({ start, end, keyword: keyword?.[1], valueStart: start + (keyword ? keyword[0].length : 0) });
    }
    start = end + 1;
  };
  for (let i = open + 1; i < close; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) push(i);
  }
  push(close);
  return args;
}

/**
 * The value of a literal string argument (adjacent literals concatenated), or undefined when
 * the range holds anything else: a name, an f-string's expression is not looked into.
 */
export function literalIn(source: MaskedSource, start: number, end: number): string | undefined {
  const inside = source.strings.filter((s) => s.start >= start && s.end <= end);
  if (inside.length === 0) return undefined;
  let rest = source.text.slice(start, end);
  for (const s of inside) rest = rest.slice(0, s.start - start) + ' '.repeat(s.end - s.start) + rest.slice(s.end - start);
  if (rest.trim() !== '' && !/^[\s()]*$/.test(rest)) return undefined;
  return inside.map((s) => s.value).join('');
}

/** Every string literal's value in a range, in order (e.g. the parts of a command list). */
export function literalsIn(source: MaskedSource, start: number, end: number): string[] {
  return source.strings.filter((s) => s.start >= start && s.end <= end).map((s) => s.value);
}

/**
 * The expressions inside an f-string's value (`{x}`, `{os.remove(p)!r:>10}`), without
 * conversions and format specs; doubled braces are literal text.
 */
export function formattedExpressions(value: string): string[] {
  const expressions: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('{{', i) || value.startsWith('}}', i)) {
      i += 2;
      continue;
    }
    if (value[i] !== '{') {
      i++;
      continue;
    }
    let depth = 0;
    let j = i;
    for (; j < value.length; j++) {
      if (value[j] === '{' || value[j] === '(' || value[j] === '[') depth++;
      else if (value[j] === '}' || value[j] === ')' || value[j] === ']') depth--;
      if (depth === 0) break;
    }
    expressions.push(value.slice(i + 1, j).replace(/(![rsa])?(:[^()[\]]*)?$/, ''));
    i = j + 1;
  }
  return expressions;
}
