/**
 * The markup models use to ask for code to run, as real models write it: the paper's
 * `<execute>`, OpenHands' `<execute_ipython>` and `<execute_bash>`, smolagents' `<code>` and
 * ```` ```py … ```<end_code> ````, and fences copied from web chat UIs (`pythonCopy code`).
 * Pure tables and small matchers shared by the scanner and the parser.
 */

/** What an action's code is: Python for the kernel, or a shell script run from the kernel. */
export type ActionLanguage = 'python' | 'bash';

/** A tag that asks for code to run (or an attempt at one that cannot run here). */
export interface ActionTag {
  /** The tag's name, lower-cased: 'execute', 'execute_ipython', 'execute_bash', 'code', 'execute_browse'… */
  readonly name: string;
  /** Undefined for a tag recognised as an attempt to act that does not run here (`<execute_browse>`). */
  readonly language: ActionLanguage | undefined;
  /** `<code>` is also HTML for inline code: it opens an action only as the last thing on its line. */
  readonly mustEndLine: boolean;
}

const KNOWN_TAGS: Readonly<Record<string, ActionLanguage>> = {
  execute: 'python',
  execute_ipython: 'python',
  execute_python: 'python',
  execute_bash: 'bash',
  code: 'python',
};

/** An opening action tag anywhere in a line. */
const OPEN_TAG = /<(execute(?:_[a-z0-9_]+)?|code)>/gi;

/** The tag named `name`, or undefined when it is not an action tag. */
export function actionTag(name: string): ActionTag | undefined {
  const lower = name.toLowerCase();
  if (!/^(execute(_[a-z0-9_]+)?|code)$/.test(lower)) return undefined;
  return { name: lower, language: KNOWN_TAGS[lower], mustEndLine: lower === 'code' };
}

export interface TagMatch {
  readonly tag: ActionTag;
  /** Index of '<' in the line. */
  readonly index: number;
  /** Index just past '>'. */
  readonly end: number;
}

/**
 * The first action tag on a line outside inline code. `complete` false: the line may still
 * grow, so a `<code>` at its end is not known yet to end the line.
 */
export function findOpenTag(line: string, complete: boolean): TagMatch | undefined {
  for (const match of line.matchAll(OPEN_TAG)) {
    const index = match.index;
    const backticksBefore = (line.slice(0, index).match(/`/g) ?? []).length;
    if (backticksBefore % 2 !== 0) continue;
    const tag = actionTag(match[1] ?? '');
    if (!tag) continue;
    const end = index + match[0].length;
    if (tag.mustEndLine && (!complete || line.slice(end).trim() !== '')) continue;
    return { tag, index, end };
  }
  return undefined;
}

/**
 * Where a line that may still grow could be starting an action tag: the index of a trailing
 * '<' that may become `<execute…>` or `<code>`, or of a `<code>` that may still end the line.
 */
export function heldBackTagStart(line: string): number | undefined {
  const lastOpen = line.lastIndexOf('<');
  if (lastOpen < 0) return undefined;
  const rest = line.slice(lastOpen).toLowerCase();
  if (/^<code>\s*$/.test(rest)) return lastOpen;
  if (rest.includes('>')) return undefined;
  const name = rest.slice(1);
  if ('execute'.startsWith(name) || 'code'.startsWith(name) || /^execute_[a-z0-9_]*$/.test(name)) return lastOpen;
  return undefined;
}

export function closeTagOf(tag: ActionTag): string {
  return `</${tag.name}>`;
}

/** Fence languages that run as Python in the kernel. */
const PYTHON_LANGUAGES = new Set(['python', 'python3', 'py', 'py3', 'ipython', 'ipython3']);

export function isPythonLanguage(language: string): boolean {
  return PYTHON_LANGUAGES.has(language);
}

/**
 * The language of a fence's info string: its first word, lower-cased ("{python}" → "python"),
 * without the "Copy code" a web chat UI's button leaves after it ("pythonCopy code" → "python").
 */
export function fenceLanguage(info: string): string {
  const cleaned = info.trim().replace(/\s*copy(\s*code)?$/i, '');
  const first = cleaned.split(/\s+/)[0] ?? '';
  return first.replace(/^\{\.?|\}$/g, '').replace(/^\./, '').toLowerCase();
}

/** A line a web UI's copy button leaves in copied code: "pythonCopy code", "Copy code", "python". */
export function isCopiedCodeLabel(line: string): boolean {
  const match = /^\s*([a-z0-9+#]*)\s*(copy(\s*code)?)?\s*$/i.exec(line);
  if (!match) return false;
  const [, language = '', copy] = match;
  return copy !== undefined ? language === '' || /^[a-z0-9+#]+$/i.test(language) : isPythonLanguage(language.toLowerCase());
}

/** smolagents ends its code with `<end_code>`, after the closing fence or on its own line. */
export const END_CODE = '<end_code>';
