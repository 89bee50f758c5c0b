import type { ActionEntry } from '../src/shared/protocol';
import { renderActionPreview } from './actionPreview';
import { CodeEditor } from './codeEditor';
import { copyButton } from './copyButton';
import { codicon, h } from './dom';
import { actionStatusView } from './actionStatus';
import { formatElapsed } from './format';
import { highlightPython } from './highlight';
import { hasInvisibleCharacters } from '../src/shared/invisibleCharacters';
import { loadUiState, postToHost, updateUiRecord } from './vscodeApi';

const isMac = /Mac|iPhone|iPad/.test(navigator.userAgent);
const RUN_SHORTCUT = isMac ? '⌘Enter' : 'Ctrl+Enter';
let hintIds = 0;

function button(label: string, className: string, icon: string | undefined, text: string | undefined, onClick: () => void, title = label): HTMLButtonElement {
  const element = h('button', { className, attrs: { type: 'button', 'aria-label': label, title } }, icon ? codicon(icon) : undefined, text ? h('span', { text }) : undefined);
  element.addEventListener('click', onClick);
  return element;
}

/**
 * The card of one code action. While pending it is an approval form: the risks, the code
 * (highlighted and editable in place), and Run / Skip / Reject / Allow all. Once decided it shows
 * what happened, the code that ran and a preview of the output; it never shows active decision
 * buttons again. Edits and an open feedback box survive the view being hidden (UI state).
 */
export class ApprovalCard {
  readonly element: HTMLElement;
  private entry: ActionEntry;
  private editor: CodeEditor | undefined;
  private feedbackInput: HTMLInputElement | undefined;
  private runButton: HTMLButtonElement | undefined;
  /** A decision was posted and the host has not answered with a new status yet. */
  private decided = false;
  /** While the action runs: when this view first saw it running, and the clock that shows it. */
  private runningSince: number | undefined;
  private clock: number | undefined;

  constructor(entry: ActionEntry) {
    this.entry = entry;
    this.element = h('div', { className: 'entry entry-action action-card', attrs: { role: 'group', 'aria-label': 'Code action', 'data-entry-id': entry.id, tabindex: '-1' } });
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.render();
  }

  get isPending(): boolean {
    return this.entry.status === 'pending' && !this.decided;
  }

  update(entry: ActionEntry): void {
    const unchanged = entry.status === 'pending' && this.entry.status === 'pending' && entry.proposedCode === this.entry.proposedCode && entry.hasCell === this.entry.hasCell;
    this.entry = entry;
    if (unchanged) return;
    const hadFocus = this.element.contains(document.activeElement);
    this.decided = false;
    this.render();
    if (hadFocus && !this.element.contains(document.activeElement)) this.element.focus();
  }

  /**
   * Moves focus onto the card itself, never onto Run: a key pressed for something else (Enter in
   * a message, Space in a word) must not run code. A screen reader reads the card's risks and
   * code from there, Tab reaches the code and the buttons, Ctrl/Cmd+Enter runs.
   */
  focusCard(): void {
    this.element.focus();
  }

  private render(): void {
    const entry = this.entry;
    const pending = entry.status === 'pending';
    this.runningSince = entry.status === 'running' ? (this.runningSince ?? Date.now()) : undefined;
    this.editor = undefined;
    this.feedbackInput = undefined;
    this.runButton = undefined;
    this.element.className = `entry entry-action action-card status-${entry.status}`;
    this.element.replaceChildren(this.header());
    if (pending) {
      this.renderPending();
      return;
    }
    const view = h('pre', { className: 'code-view' }, h('code', { className: 'language-python' }, highlightPython(entry.code)));
    this.element.append(h('div', { className: 'card-code' }, view));
    if (entry.status === 'rejected' && entry.feedback) {
      this.element.append(h('blockquote', { className: 'card-feedback-given' }, h('span', { className: 'card-feedback-label', text: 'Your feedback: ' }), h('span', { text: entry.feedback })));
    }
    if (entry.preview) this.element.append(renderActionPreview(entry.preview, entry.hasCell ? () => this.revealCell() : undefined));
  }

  private header(): HTMLElement {
    const entry = this.entry;
    const status = actionStatusView(entry);
    const statusEl = h('span', { className: `card-status tone-${status.tone}`, attrs: { title: status.detail ?? status.text } }, codicon(status.icon), h('span', { text: status.text }));
    if (status.detail) statusEl.append(h('span', { className: 'offscreen', text: ` (${status.detail})` }));
    if (status.spin) statusEl.firstElementChild?.classList.add('codicon-modifier-spin');
    this.startClock(statusEl.children[1] as HTMLElement | undefined, status.text);
    const tools = h('div', { className: 'card-tools' });
    if (entry.status === 'running' || entry.status === 'waiting' || entry.status === 'awaitingKernel') tools.append(button('Stop this action', 'icon-button card-stop', 'debug-stop', undefined, () => postToHost({ type: 'stop' }), 'Stop (interrupts the kernel)'));
    // "Edited and ran" says it already; elsewhere (a cancelled edit, say) the badge does.
    if (entry.code !== entry.proposedCode && entry.status !== 'pending' && entry.status !== 'editedAndRan') tools.append(h('span', { className: 'badge', text: 'Edited', attrs: { title: 'You changed the code before it ran' } }));
    if (entry.hasCell) tools.append(button('Reveal cell', 'icon-button', 'go-to-file', undefined, () => this.revealCell(), 'Reveal the cell in the notebook'));
    tools.append(copyButton(() => this.editor?.value ?? entry.code));
    // Python needs no words (an icon says it, and the status gets the room a narrow sidebar
    // has); a shell command says so, since it runs with the user's shell, not Python.
    const title =
      entry.language === 'bash'
        ? h('span', { className: 'card-title', attrs: { title: 'Shell command (runs as a %%bash cell in the kernel)' } }, codicon('terminal'), h('span', { className: 'badge', text: 'Shell command' }))
        : h('span', { className: 'card-title', attrs: { title: 'Python code action' } }, codicon('code'), h('span', { className: 'offscreen', text: 'Python' }));
    return h('div', { className: 'card-header' }, title, statusEl, tools);
  }

  /** Counts the seconds of a running action in its status ("Running… 12 s"), so it never looks stuck. */
  private startClock(label: HTMLElement | undefined, text: string): void {
    if (this.clock !== undefined) window.clearInterval(this.clock);
    this.clock = undefined;
    const since = this.runningSince;
    if (since === undefined || !label) return;
    const tick = (): void => {
      if (!this.element.isConnected && this.clock !== undefined) {
        window.clearInterval(this.clock);
        this.clock = undefined;
        return;
      }
      const seconds = Math.floor((Date.now() - since) / 1000);
      label.textContent = seconds >= 1 ? `${text} ${formatElapsed(seconds)}` : text;
    };
    tick();
    this.clock = window.setInterval(tick, 1000);
  }

  private renderPending(): void {
    const entry = this.entry;
    const ui = loadUiState();
    const hintId = `card-hint-${++hintIds}`;
    if (entry.risks.length > 0) {
      this.element.append(
        h(
          'div',
          { className: 'card-risks', attrs: { role: 'note', 'aria-label': 'Risks' } },
          h('div', { className: 'card-risks-title' }, codicon('warning'), h('span', { text: 'Review before running. This code:' })),
          h('ul', {}, ...entry.risks.map((risk) => h('li', { text: risk }))),
        ),
      );
    }
    const revert = button('Revert to the proposed code', 'link-button', undefined, 'Revert', () => {
      editor.value = entry.proposedCode;
      onEdit(entry.proposedCode);
      editor.focus();
    });
    const edited = h('div', { className: 'card-edited' }, h('span', { className: 'badge', text: 'Edited' }), revert);
    const onEdit = (code: string): void => {
      edited.hidden = code === entry.proposedCode;
      if (this.runButton) this.runButton.disabled = code.trim() === '';
      updateUiRecord('editedCode', entry.id, code === entry.proposedCode ? undefined : code);
    };
    const editor = new CodeEditor(ui.editedCode?.[entry.id] ?? entry.proposedCode, onEdit, hintId);
    this.editor = editor;
    this.element.append(this.codeToReview(editor), edited);

    const savedFeedback = ui.feedback?.[entry.id];
    const feedback = h('input', {
      className: 'card-feedback-input',
      attrs: { type: 'text', 'aria-label': 'Feedback for the model', placeholder: 'What should the model do instead? (optional)' },
    });
    feedback.value = savedFeedback ?? '';
    feedback.addEventListener('input', () => updateUiRecord('feedback', entry.id, feedback.value));
    feedback.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        event.stopPropagation();
        this.reject();
      } else if (event.key === 'Escape') {
        event.stopPropagation();
        this.toggleFeedback(false);
        this.element.querySelector<HTMLElement>('.card-reject')?.focus();
      }
    });
    this.feedbackInput = feedback;
    const feedbackRow = h('div', { className: 'card-feedback' }, feedback, h('span', { className: 'card-feedback-hint', text: 'Enter to reject · Esc to cancel' }));
    feedbackRow.hidden = savedFeedback === undefined;

    this.runButton = button('Run', 'button primary card-run', 'play', 'Run', () => this.run(), `Run (${RUN_SHORTCUT})`);
    const reject = button('Reject', 'button secondary card-reject', undefined, 'Reject', () => this.reject(), 'Reject and tell the model why');
    reject.setAttribute('aria-expanded', String(!feedbackRow.hidden));
    const actions = h(
      'div',
      { className: 'card-actions' },
      this.runButton,
      button('Skip', 'button secondary card-skip', undefined, 'Skip', () => this.decide({ type: 'skipAction', actionId: entry.id }), 'Skip this action; the model continues'),
      reject,
      h('span', { className: 'spacer' }),
      button(
        'Allow all in this chat',
        'link-button card-allow-all',
        'check-all',
        'Allow all in this chat',
        () => this.allowAll(),
        // Said plainly on a flagged card: this click runs the flagged code now, later flagged code still asks.
        this.entry.risks.length > 0
          ? 'Run this flagged action now, and later actions in this chat without asking (flagged code still asks unless codeact.riskyCodeAlwaysAsks is off)'
          : 'Run this and every later action in this chat without asking (flagged code still asks unless codeact.riskyCodeAlwaysAsks is off)',
      ),
    );
    const hint = h('div', { className: 'card-hint', attrs: { id: hintId }, text: `${RUN_SHORTCUT} to run · Tab indents; Esc then Tab leaves the code` });
    this.element.append(feedbackRow, actions, hint);
    onEdit(editor.value);
  }

  /**
   * The editor, or for code with invisible or direction-changing characters the code as it runs
   * with each one shown as ⟪U+202E⟫ first: in the editor's textarea they would still reorder or
   * hide text. Edit swaps in the editor (its mirror marks them too); Run runs the same value.
   */
  private codeToReview(editor: CodeEditor): HTMLElement {
    const container = h('div', { className: 'card-code' }, editor.element);
    if (!hasInvisibleCharacters(editor.value)) return container;
    const shown = h('pre', { className: 'code-view', attrs: { tabindex: '0', 'aria-label': 'Code to run, hidden characters shown' } }, h('code', { className: 'language-python' }, highlightPython(editor.value)));
    const note = h(
      'div',
      { className: 'card-invisible-note' },
      codicon('eye'),
      h('span', { text: 'Hidden characters are marked \u27EAU+…\u27EB and are part of the code that runs.' }),
      button('Edit the code', 'link-button card-edit-hidden', undefined, 'Edit', () => {
        shown.remove();
        note.remove();
        editor.element.hidden = false;
        editor.focus();
      }),
    );
    editor.element.hidden = true;
    container.prepend(shown, note);
    return container;
  }

  private onKeyDown(event: KeyboardEvent): void {
    // Not a key held down: its repeats would run whatever card next takes focus.
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.repeat && this.isPending) {
      event.preventDefault();
      this.run();
    }
  }

  private run(): void {
    const code = this.editor?.value;
    if (code === undefined || code.trim() === '') return;
    this.decide({ type: 'approveAction', actionId: this.entry.id, code });
  }

  private allowAll(): void {
    const code = this.editor?.value;
    if (!this.isPending || code === undefined || code.trim() === '') return;
    postToHost({ type: 'setAllowAllInChat', enabled: true });
    this.decide({ type: 'approveAction', actionId: this.entry.id, code });
  }

  /** First click opens the feedback box; the second click (or Enter in it) rejects. */
  private reject(): void {
    const row = this.feedbackInput?.parentElement;
    if (row?.hidden) {
      this.toggleFeedback(true);
      return;
    }
    this.decide({ type: 'rejectAction', actionId: this.entry.id, feedback: this.feedbackInput?.value.trim() ?? '' });
  }

  private toggleFeedback(open: boolean): void {
    const input = this.feedbackInput;
    const row = input?.parentElement;
    if (!input || !row) return;
    row.hidden = !open;
    this.element.querySelector('.card-reject')?.setAttribute('aria-expanded', String(open));
    updateUiRecord('feedback', this.entry.id, open ? input.value : undefined);
    if (open) input.focus();
  }

  private decide(message: Parameters<typeof postToHost>[0]): void {
    if (!this.isPending) return;
    this.decided = true;
    postToHost(message);
    updateUiRecord('editedCode', this.entry.id, undefined);
    updateUiRecord('feedback', this.entry.id, undefined);
    // Until the host answers, nothing can be decided twice.
    this.element.focus();
    this.element.classList.add('is-deciding');
    for (const control of Array.from(this.element.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLTextAreaElement>('.card-actions button, .card-feedback input, .card-edited button'))) control.disabled = true;
    if (this.editor) this.editor.textarea.readOnly = true;
  }

  private revealCell(): void {
    postToHost({ type: 'revealCell', actionId: this.entry.id });
  }
}
