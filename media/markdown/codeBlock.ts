import { copyButton } from '../copyButton';
import { h } from '../dom';
import { highlightPython, isPythonLanguage } from '../highlight';

/** The language named by a `language-xyz` class of a sanitized <code>, if any. */
export function codeLanguage(code: Element): string | undefined {
  for (const name of Array.from(code.classList)) {
    if (name.startsWith('language-')) return name.slice('language-'.length);
  }
  return undefined;
}

/** The text a copy button copies: the code without the newline marked adds at its end. */
function codeText(code: HTMLElement): string {
  return (code.textContent ?? '').replace(/\n$/, '');
}

/**
 * The chrome around a code block: a small bar with the language and a copy button, above the
 * <pre>. Used by finished blocks and by the block that is still streaming, so both look alike.
 */
export function codeBlockFrame(pre: HTMLElement, code: HTMLElement, language: string | undefined): HTMLElement {
  const bar = h('div', { className: 'code-block-bar' }, h('span', { className: 'code-block-language', text: language || 'text' }), copyButton(() => codeText(code)));
  return h('div', { className: 'code-block' }, bar, pre);
}

/** Highlights and frames every `pre > code` in freshly sanitized markdown. */
export function decorateCodeBlocks(root: DocumentFragment | Element): void {
  for (const code of Array.from(root.querySelectorAll<HTMLElement>('pre > code'))) {
    const pre = code.parentElement;
    if (!pre || pre.parentElement?.classList.contains('code-block')) continue;
    const language = codeLanguage(code);
    if (isPythonLanguage(language)) code.replaceChildren(highlightPython(code.textContent ?? ''));
    const placeholder = document.createComment('code');
    pre.replaceWith(placeholder);
    placeholder.replaceWith(codeBlockFrame(pre, code, language));
  }
}
