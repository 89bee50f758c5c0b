import { codicon, h } from './dom';

/** Copies text to the clipboard; falls back to a hidden selection where the async API is refused. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const scratch = h('textarea', { className: 'offscreen', attrs: { 'aria-hidden': 'true', tabindex: '-1' } });
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    // Deprecated but still the only synchronous fallback inside a sandboxed webview.
    document.execCommand('copy');
    scratch.remove();
  }
}

/**
 * An icon button that copies what `getText` returns at click time, then shows a check mark
 * and says "Copied" for a moment.
 */
export function copyButton(getText: () => string, label = 'Copy code'): HTMLButtonElement {
  const icon = codicon('copy');
  const button = h('button', { className: 'icon-button copy-button', attrs: { type: 'button', 'aria-label': label, title: label } }, icon);
  let timer: number | undefined;
  button.addEventListener('click', () => {
    void copyText(getText()).then(() => {
      icon.className = 'codicon codicon-check';
      button.setAttribute('aria-label', 'Copied');
      button.title = 'Copied';
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        icon.className = 'codicon codicon-copy';
        button.setAttribute('aria-label', label);
        button.title = label;
      }, 1500);
    });
  });
  return button;
}
