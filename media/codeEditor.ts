import { h } from './dom';
import { highlightPython } from './highlight';

const INDENT = '    ';

/**
 * Editable, highlighted Python: a transparent <textarea> laid exactly over a highlighted <pre>
 * in one grid cell. The <pre> sizes the cell, so the textarea grows with its content without any
 * script-set styles, and what is typed is re-highlighted underneath on every input. What runs is
 * the textarea's value, which is exactly what the card shows.
 *
 * Tab indents and Shift+Tab outdents the selected lines; Escape then Tab moves focus on, as in
 * VS Code's editors, so the keyboard is never trapped.
 */
export class CodeEditor {
  readonly element: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly mirror = h('code', { className: 'language-python' });
  private tabMovesFocus = false;

  constructor(
    initial: string,
    private readonly onChange: (value: string) => void,
    describedBy?: string,
  ) {
    this.textarea = h('textarea', {
      className: 'code-editor-input',
      attrs: {
        'aria-label': 'Code to run',
        spellcheck: 'false',
        autocapitalize: 'off',
        autocomplete: 'off',
        autocorrect: 'off',
        wrap: 'soft',
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      },
    });
    this.textarea.value = initial;
    const pre = h('pre', { className: 'code-editor-mirror', attrs: { 'aria-hidden': 'true' } }, this.mirror);
    this.element = h('div', { className: 'code-editor' }, h('div', { className: 'code-editor-grid' }, pre, this.textarea));
    this.renderMirror();
    this.textarea.addEventListener('input', () => {
      this.renderMirror();
      this.onChange(this.textarea.value);
    });
    this.textarea.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.textarea.addEventListener('blur', () => (this.tabMovesFocus = false));
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(code: string) {
    this.textarea.value = code;
    this.renderMirror();
  }

  focus(): void {
    this.textarea.focus();
  }

  private renderMirror(): void {
    const code = this.textarea.value;
    // Markers of no width: the mirror must keep every character under the textarea's own.
    this.mirror.replaceChildren(highlightPython(code, 'mark'));
    // A trailing newline makes an empty last line in the textarea but not in a <pre>.
    if (code.endsWith('\n') || code === '') this.mirror.append(' ');
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      this.tabMovesFocus = true;
      return;
    }
    if (event.key !== 'Tab' || event.ctrlKey || event.altKey || event.metaKey) {
      if (event.key !== 'Shift') this.tabMovesFocus = false;
      return;
    }
    if (this.tabMovesFocus) {
      this.tabMovesFocus = false;
      return;
    }
    event.preventDefault();
    this.indent(event.shiftKey);
  }

  /** Indents (or outdents) the selected lines; a plain Tab in a line inserts four spaces. */
  private indent(outdent: boolean): void {
    const area = this.textarea;
    const { selectionStart: start, selectionEnd: end, value } = area;
    if (!outdent && !value.slice(start, end).includes('\n')) {
      this.replaceRange(start, end, INDENT, start + INDENT.length, start + INDENT.length);
      return;
    }
    const lineStart = value.lastIndexOf('\n', start - 1) + 1;
    const lines = value.slice(lineStart, end).split('\n');
    let firstShift = 0;
    const changed = lines.map((line, i) => {
      if (!outdent) {
        if (i === 0) firstShift = INDENT.length;
        return INDENT + line;
      }
      const removed = /^ {0,4}/.exec(line)?.[0].length ?? 0;
      if (i === 0) firstShift = -removed;
      return line.slice(removed);
    });
    const replacement = changed.join('\n');
    const newStart = Math.max(lineStart, start + firstShift);
    this.replaceRange(lineStart, end, replacement, newStart, lineStart + replacement.length);
  }

  private replaceRange(from: number, to: number, text: string, selectFrom: number, selectTo: number): void {
    const area = this.textarea;
    area.setSelectionRange(from, to);
    // insertText keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand('insertText', false, text)) {
      area.setRangeText(text, from, to, 'end');
      area.dispatchEvent(new Event('input', { bubbles: true }));
    }
    area.setSelectionRange(selectFrom, selectTo);
  }
}
