/**
 * The code of an action as it goes into the notebook: nested markup unwrapped (a fence inside a
 * tag, a tag inside a fence, a web UI's "pythonCopy code" label, smolagents' `<end_code>`), and a
 * shell action turned into a `%%bash` cell. Pure.
 */
import { type ActionLanguage, END_CODE, fenceLanguage, findOpenTag, isCopiedCodeLabel, isPythonLanguage } from './actionMarkup';

/**
 * The code inside an action's markup: a Python fence or an action tag inside it is unwrapped
 * (models nest them both ways), a web UI's "pythonCopy code" label and smolagents' `<end_code>`
 * are dropped, and so are blank lines around the code and its common indentation.
 */
export function extractCode(raw: string): string {
  return unwrapCode(raw, 'python').code;
}

/** Unwraps nested markup (see extractCode); a nested `<execute_bash>` makes the code a shell script. */
export function unwrapCode(raw: string, language: ActionLanguage): { readonly code: string; readonly language: ActionLanguage } {
  let lines = raw.replace(/\r\n?/g, '\n').split('\n');
  let runs = language;
  const isBlank = (line: string): boolean => line.trim() === '';
  const trimEnds = (): void => {
    for (;;) {
      const first = lines[0];
      const last = lines[lines.length - 1];
      if (first !== undefined && (isBlank(first) || isCopiedCodeLabel(first))) lines.shift();
      else if (last !== undefined && (isBlank(last) || last.trim().toLowerCase() === END_CODE)) lines.pop();
      else return;
    }
  };
  for (;;) {
    trimEnds();
    const first = lines[0] ?? '';
    const last = lines[lines.length - 1] ?? '';
    const opening = /^[ \t]*(`{3,}|~{3,})(.*)$/.exec(first);
    if (opening) {
      const fenceInfo = fenceLanguage(opening[2] ?? '');
      const shellFence = fenceInfo === 'bash' || fenceInfo === 'sh' || fenceInfo === 'shell';
      // A shell fence unwraps only inside <execute_bash>: in Python it stays as written.
      if (fenceInfo !== '' && !isPythonLanguage(fenceInfo) && !(shellFence && runs === 'bash')) break;
      lines.shift();
      if (/^[ \t]*(`{3,}|~{3,})[ \t]*(<end_code>)?[ \t]*$/i.test(lines[lines.length - 1] ?? '')) lines.pop();
      continue;
    }
    const tag = findOpenTag(first.trim(), true);
    if (tag && tag.index === 0 && tag.tag.language !== undefined && tag.end === first.trim().length) {
      const close = `</${tag.tag.name}>`;
      lines.shift();
      if (last.trim().toLowerCase() === close) lines.pop();
      if (tag.tag.language === 'bash') runs = 'bash';
      continue;
    }
    break;
  }
  const indents = lines.filter((line) => !isBlank(line)).map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  if (common > 0) lines = lines.map((line) => line.slice(Math.min(common, line.length - line.trimStart().length)));
  return { code: lines.map((line) => line.replace(/[ \t]+$/, '')).join('\n'), language: runs };
}

/**
 * The notebook cell for an action: Python as it is; a shell script as a `%%bash` cell, so it runs
 * in the kernel's environment, lands in the notebook and is checked like any shell command.
 */
export function cellCode(code: string, language: ActionLanguage): string {
  if (language === 'python' || /^%%(bash|sh|script)\b/.test(code)) return code;
  return `%%bash\n${code}`;
}

