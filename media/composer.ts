import type { BusyState, UsageTotals } from '../src/shared/protocol';
import { codicon, h } from './dom';
import { formatCost, formatTokens } from './format';
import { loadUiState, postToHost, updateUiState } from './vscodeApi';

const ACTIVITY: Record<BusyState, string> = {
  idle: '',
  streaming: 'Thinking…',
  running: 'Running code…',
  awaitingApproval: 'Waiting for your approval',
};

/**
 * The input at the bottom: Enter sends, Shift+Enter starts a new line, Escape stops while the
 * agent works. Below the text: the auto-run indicator, the token and cost meter, Stop and Send.
 */
export class Composer {
  readonly element: HTMLElement;
  readonly input = h('textarea', {
    className: 'composer-input',
    attrs: { rows: '1', placeholder: 'Ask CodeAct to work with your data…', 'aria-label': 'Message to CodeAct', 'aria-describedby': 'composer-hint' },
  });
  private readonly sendButton = h('button', { className: 'icon-button composer-send', attrs: { type: 'button', 'aria-label': 'Send', title: 'Send (Enter)' } }, codicon('send'));
  private readonly stopButton = h('button', { className: 'icon-button composer-stop', attrs: { type: 'button', 'aria-label': 'Stop', title: 'Stop (Escape)' } }, codicon('debug-stop'));
  private readonly activity = h('div', { className: 'composer-status', attrs: { role: 'status' } });
  private readonly meter = h('span', { className: 'usage-meter' });
  private readonly autoRun = h(
    'button',
    { className: 'auto-run-chip', attrs: { type: 'button', 'aria-label': 'Stop allowing all in this chat', title: 'Actions in this chat run without asking. Click to ask again.' } },
    codicon('zap'),
    h('span', { text: 'Auto-run on' }),
    codicon('close'),
  );
  private busy: BusyState = 'idle';

  constructor() {
    this.input.value = loadUiState().draft;
    const hint = h('span', { className: 'offscreen', attrs: { id: 'composer-hint' }, text: 'Enter to send, Shift+Enter for a new line, Escape to stop.' });
    const toolbar = h('div', { className: 'composer-toolbar' }, this.autoRun, this.meter, h('span', { className: 'spacer' }), this.stopButton, this.sendButton);
    this.element = h('footer', { className: 'composer' }, this.activity, h('div', { className: 'composer-box' }, this.input, toolbar), hint);
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.input.addEventListener('input', () => {
      updateUiState({ draft: this.input.value });
      this.refreshSend();
    });
    this.sendButton.addEventListener('click', () => this.submit());
    this.stopButton.addEventListener('click', () => postToHost({ type: 'stop' }));
    this.autoRun.addEventListener('click', () => postToHost({ type: 'setAllowAllInChat', enabled: false }));
    this.autoRun.hidden = true;
    this.setBusy('idle');
  }

  setBusy(busy: BusyState): void {
    this.busy = busy;
    const working = busy !== 'idle';
    this.stopButton.hidden = !working;
    this.activity.replaceChildren();
    if (working) {
      const spinner = codicon(busy === 'awaitingApproval' ? 'shield' : 'loading');
      if (busy !== 'awaitingApproval') spinner.classList.add('codicon-modifier-spin');
      this.activity.append(spinner, h('span', { text: ACTIVITY[busy] }));
    }
    this.activity.hidden = !working;
    this.element.classList.toggle('is-busy', working);
    this.refreshSend();
  }

  setUsage(usage: UsageTotals): void {
    const tokens = usage.inputTokens + usage.outputTokens;
    this.meter.hidden = tokens === 0 && !usage.costUsd;
    const cost = usage.costUsd === undefined ? '' : ` · ${formatCost(usage.costUsd)}`;
    // "≈" when some replies' usage was estimated (the provider did not report it).
    this.meter.textContent = `${usage.estimated ? '≈' : ''}${formatTokens(tokens)} tokens${cost}`;
    const costDetail = usage.costUsd === undefined ? 'Cost unknown for this model' : `Cost about $${usage.costUsd.toFixed(4)}`;
    const estimateDetail = usage.estimated ? ' Some of these are estimates: the model server did not report them.' : '';
    this.meter.title = `${usage.inputTokens.toLocaleString()} input tokens, ${usage.outputTokens.toLocaleString()} output tokens. ${costDetail}.${estimateDetail}`;
  }

  setAllowAll(enabled: boolean): void {
    this.autoRun.hidden = !enabled;
  }

  focus(text?: string): void {
    if (text !== undefined) {
      this.input.value = text;
      updateUiState({ draft: text });
      this.refreshSend();
    }
    this.input.focus();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    } else if (event.key === 'Escape' && this.busy !== 'idle') {
      event.preventDefault();
      postToHost({ type: 'stop' });
    }
  }

  private refreshSend(): void {
    this.sendButton.disabled = this.busy !== 'idle' || this.input.value.trim() === '';
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    if (this.busy !== 'idle') {
      // The draft stays; say why Enter did nothing (the status line is read out too).
      const waiting = this.busy === 'awaitingApproval' ? 'Decide on the action above first (or Stop) to send this.' : 'Stop or wait for CodeAct to finish to send this.';
      this.activity.replaceChildren(codicon('info'), h('span', { className: 'composer-busy-hint', text: waiting }));
      return;
    }
    postToHost({ type: 'sendMessage', text });
    this.input.value = '';
    updateUiState({ draft: '' });
    this.refreshSend();
  }
}
