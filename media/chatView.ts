import type { BusyState, ChatHeader, ChatSnapshot, TranscriptEntry, UsageTotals } from '../src/shared/protocol';
import { codicon, h } from './dom';
import { renderEntry } from './entries';
import { WebviewUiState, postToHost, saveUiState } from './vscodeApi';

/** The chat's layout: header, transcript, composer. Rebuilt from each snapshot. */
export class ChatView {
  private readonly headerEl = h('header', { className: 'chat-header', attrs: { role: 'toolbar', 'aria-label': 'Chat target' } });
  private readonly transcriptEl = h('div', { className: 'transcript', attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' } });
  private readonly input = h('textarea', {
    className: 'composer-input',
    attrs: { rows: '3', placeholder: 'Ask CodeAct to do something… (Enter to send, Shift+Enter for a new line)', 'aria-label': 'Message to CodeAct' },
  });
  private readonly sendButton = h('button', { className: 'composer-send', attrs: { type: 'button', 'aria-label': 'Send', title: 'Send (Enter)' } }, codicon('send'));
  private readonly stopButton = h('button', { className: 'composer-stop', attrs: { type: 'button', 'aria-label': 'Stop', title: 'Stop' } }, codicon('debug-stop'));
  private readonly statusEl = h('div', { className: 'composer-status', attrs: { 'aria-live': 'polite' } });
  private readonly entryElements = new Map<string, HTMLElement>();
  private busy: BusyState = 'idle';

  constructor(
    private readonly root: HTMLElement,
    uiState: WebviewUiState,
  ) {
    this.input.value = uiState.draft;
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => saveUiState({ draft: this.input.value }));
    this.sendButton.addEventListener('click', () => this.submit());
    this.stopButton.addEventListener('click', () => postToHost({ type: 'stop' }));
  }

  renderSnapshot(snapshot: ChatSnapshot): void {
    this.entryElements.clear();
    this.transcriptEl.replaceChildren();
    for (const entry of snapshot.entries) this.addEntry(entry);
    if (snapshot.entries.length === 0) this.transcriptEl.append(this.emptyState(snapshot.canRunCode));
    const composer = h('footer', { className: 'composer' }, this.input, h('div', { className: 'composer-actions' }, this.statusEl, this.stopButton, this.sendButton));
    this.root.replaceChildren(this.headerEl, this.transcriptEl, composer);
    this.root.dataset['state'] = 'ready';
    this.renderStatus(snapshot.busy, snapshot.header, snapshot.usage, snapshot.allowAllInChat);
  }

  addEntry(entry: TranscriptEntry): void {
    this.transcriptEl.querySelector('.empty-state')?.remove();
    const element = renderEntry(entry);
    this.entryElements.set(entry.id, element);
    this.transcriptEl.append(element);
    this.scrollToEnd();
  }

  updateEntry(entry: TranscriptEntry): void {
    const old = this.entryElements.get(entry.id);
    if (!old) {
      this.addEntry(entry);
      return;
    }
    const element = renderEntry(entry);
    this.entryElements.set(entry.id, element);
    old.replaceWith(element);
  }

  appendAssistantDelta(entryId: string, delta: string): void {
    const body = this.entryElements.get(entryId)?.querySelector('.entry-body');
    if (body) body.append(delta);
    this.scrollToEnd();
  }

  renderStatus(busy: BusyState, header: ChatHeader, usage: UsageTotals, _allowAll: boolean): void {
    this.busy = busy;
    this.headerEl.replaceChildren(
      this.headerButton('notebook', 'notebook', header.notebook ?? 'No notebook'),
      this.headerButton('kernel', 'server-environment', header.kernel ?? 'No kernel'),
      this.headerButton('model', 'sparkle', header.model),
    );
    const working = busy !== 'idle';
    this.stopButton.hidden = !working;
    this.sendButton.disabled = working;
    const tokens = usage.inputTokens + usage.outputTokens;
    const cost = usage.costUsd === undefined ? '' : ` · $${usage.costUsd.toFixed(4)}`;
    const meter = tokens > 0 ? `${tokens.toLocaleString()} tokens${cost}` : '';
    const activity = { idle: '', streaming: 'Thinking…', running: 'Running code…', awaitingApproval: 'Waiting for your approval' }[busy];
    this.statusEl.textContent = [activity, meter].filter(Boolean).join(' · ');
  }

  focusInput(text?: string): void {
    if (text !== undefined) this.input.value = text;
    this.input.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.busy !== 'idle') return;
    postToHost({ type: 'sendMessage', text });
    this.input.value = '';
    saveUiState({ draft: '' });
  }

  private headerButton(target: 'notebook' | 'kernel' | 'model', icon: string, label: string): HTMLElement {
    const button = h('button', { className: `header-item header-${target}`, attrs: { type: 'button', title: `Change ${target}`, 'aria-label': `${target}: ${label}. Change ${target}` } }, codicon(icon), h('span', { text: label }));
    button.addEventListener('click', () => postToHost({ type: 'changeHeader', target }));
    return button;
  }

  private emptyState(canRunCode: boolean): HTMLElement {
    return h(
      'div',
      { className: 'empty-state' },
      h('p', { text: 'Ask for something: "load sales.csv and plot revenue by month", "why does my script crash?"' }),
      h('p', { text: 'CodeAct writes Python, you approve it, it runs in your notebook\'s kernel.' }),
      canRunCode ? undefined : h('p', { className: 'warning', text: 'This workspace is not trusted: CodeAct can chat but will not run code.' }),
    );
  }

  private scrollToEnd(): void {
    this.transcriptEl.scrollTop = this.transcriptEl.scrollHeight;
  }
}
