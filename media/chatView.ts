import type { BusyState, ChatHeader, ChatSnapshot, TranscriptEntry, UsageTotals } from '../src/shared/protocol';
import { Composer } from './composer';
import { Announcer } from './announcer';
import { codicon, h } from './dom';
import { AssistantEntryView, EntryView, createEntryView } from './entries';
import { ChatHeaderBar } from './header';
import { loadUiState, updateUiState } from './vscodeApi';

/** How close to the end counts as "at the bottom" (follow new output). */
const BOTTOM_SLACK_PX = 32;

const RUN_KEYS = /Mac|iPhone|iPad/.test(navigator.userAgent) ? 'Command+Enter' : 'Control+Enter';

const EXAMPLES = ['Load sales.csv and plot revenue by month', 'Which columns of df have missing values?', 'Why does the last cell raise an error?'];

/**
 * The chat's layout: header, trust banner, transcript, composer. Built once; each snapshot
 * rebuilds the transcript, incremental messages update single entries.
 */
export class ChatView {
  private readonly header = new ChatHeaderBar();
  private readonly composer = new Composer();
  private readonly trustBanner = h(
    'div',
    { className: 'trust-banner', attrs: { role: 'note' } },
    codicon('shield'),
    h('span', { text: 'This workspace is not trusted: CodeAct can chat but will not run code.' }),
  );
  // Not a live region: the announcer says what matters (see Announcer).
  private readonly transcript = h('div', { className: 'transcript', attrs: { role: 'log', 'aria-live': 'off', 'aria-label': 'Conversation' } });
  private readonly announcer = new Announcer();
  private readonly jumpButton = h('button', { className: 'icon-button jump-to-latest', attrs: { type: 'button', 'aria-label': 'Scroll to latest', title: 'Scroll to latest' } }, codicon('arrow-down'));
  private readonly entries = new Map<string, EntryView>();
  /** The latest version of each entry on screen, to tell what changed. */
  private readonly shown = new Map<string, TranscriptEntry>();
  private atBottom = true;
  private scrollFrame: number | undefined;
  private scrollSaveTimer: number | undefined;
  private restoredScroll = false;
  private canRunCode = true;

  /**
   * Keeps the end in view while the user is there: entries grow after they are added (code
   * highlighting, images loading, fonts), and the pane changes size with the composer.
   */
  private readonly resizeObserver = new ResizeObserver(() => {
    if (this.atBottom) this.scrollToEnd();
  });

  constructor(private readonly root: HTMLElement) {
    this.resizeObserver.observe(this.transcript);
    this.transcript.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.jumpButton.addEventListener('click', () => {
      this.atBottom = true;
      this.scrollToEnd();
    });
    this.jumpButton.hidden = true;
  }

  renderSnapshot(snapshot: ChatSnapshot): void {
    if (this.root.dataset['state'] !== 'ready') {
      const main = h('main', { className: 'transcript-pane' }, this.transcript, this.jumpButton);
      this.root.replaceChildren(this.header.element, this.trustBanner, main, this.composer.element, this.announcer.element);
      this.root.dataset['state'] = 'ready';
    }
    this.canRunCode = snapshot.canRunCode;
    this.trustBanner.hidden = snapshot.canRunCode;
    this.header.renderPastChats(snapshot.pastChats, snapshot.chatId);
    const wasPending = new Set(Array.from(this.shown.values()).filter(isPendingAction).map((entry) => entry.id));
    this.entries.clear();
    this.shown.clear();
    this.transcript.replaceChildren();
    this.resizeObserver.disconnect();
    this.resizeObserver.observe(this.transcript);
    for (const entry of snapshot.entries) this.appendEntryView(entry);
    if (snapshot.entries.length === 0) this.transcript.append(this.emptyState());
    this.forgetSettledActions(snapshot.entries);
    this.renderStatus(snapshot.busy, snapshot.header, snapshot.usage, snapshot.allowAllInChat);
    this.restoreScroll();
    // A card that waits after a reload or a chat switch is said too: focus does not go to it.
    const newlyPending = snapshot.entries.find((entry) => isPendingAction(entry) && !wasPending.has(entry.id));
    if (newlyPending) this.announceChange(undefined, newlyPending);
    this.focusPendingCard();
  }

  addEntry(entry: TranscriptEntry): void {
    if (this.entries.has(entry.id)) {
      this.updateEntry(entry);
      return;
    }
    this.transcript.querySelector('.empty-state')?.remove();
    this.appendEntryView(entry);
    this.announceChange(undefined, entry);
    this.followOutput();
    this.focusPendingCard();
  }

  updateEntry(entry: TranscriptEntry): void {
    const view = this.entries.get(entry.id);
    if (!view) {
      this.addEntry(entry);
      return;
    }
    const wasPending = view.card?.isPending ?? false;
    this.announceChange(this.shown.get(entry.id), entry);
    this.shown.set(entry.id, entry);
    if (!view.update(entry)) {
      const next = createEntryView(entry);
      this.entries.set(entry.id, next);
      view.element.replaceWith(next.element);
    }
    this.followOutput();
    if (!wasPending) this.focusPendingCard();
  }

  appendAssistantDelta(entryId: string, delta: string): void {
    const view = this.entries.get(entryId);
    if (!(view instanceof AssistantEntryView)) return;
    view.appendDelta(delta);
    this.followOutput();
  }

  renderStatus(busy: BusyState, header: ChatHeader, usage: UsageTotals, allowAllInChat: boolean): void {
    this.header.render(header);
    this.composer.setBusy(busy);
    this.composer.setUsage(usage);
    this.composer.setAllowAll(allowAllInChat);
  }

  focusInput(text?: string): void {
    this.composer.focus(text);
  }

  /** Says the moments a screen reader user needs to hear, once each. */
  private announceChange(before: TranscriptEntry | undefined, after: TranscriptEntry): void {
    const spoken = announcementFor(before, after);
    if (spoken) this.announcer.say(spoken);
  }

  private appendEntryView(entry: TranscriptEntry): void {
    this.shown.set(entry.id, entry);
    const view = createEntryView(entry);
    this.entries.set(entry.id, view);
    this.transcript.append(view.element);
    this.resizeObserver.observe(view.element);
  }

  /** Drops saved edits and feedback of actions that are no longer waiting. */
  private forgetSettledActions(entries: readonly TranscriptEntry[]): void {
    const pending = new Set(entries.filter((entry) => entry.kind === 'action' && entry.status === 'pending').map((entry) => entry.id));
    const ui = loadUiState();
    const keep = (record: Readonly<Record<string, string>> | undefined): Record<string, string> =>
      Object.fromEntries(Object.entries(record ?? {}).filter(([id]) => pending.has(id)));
    updateUiState({ editedCode: keep(ui.editedCode), feedback: keep(ui.feedback) });
  }

  /**
   * Brings a newly pending card within a keyboard user's reach, without ever making a keystroke
   * meant for something else decide it. Focus moves only when it rests nowhere (on the page
   * itself, as after a reload), and then onto the card, never onto its Run button: the card does nothing on Enter or Space, so running still
   * takes Ctrl/Cmd+Enter there or a click on Run. Focus in the composer or any other control
   * stays put, empty or not; the announcer tells a screen reader user a card is waiting.
   */
  private focusPendingCard(): void {
    const pendingCard = Array.from(this.entries.values()).find((view) => view.card?.isPending)?.card;
    if (!pendingCard || pendingCard.element.contains(document.activeElement)) return;
    const active = document.activeElement;
    // Not from a card just decided either: a second Ctrl+Enter there would run a card not yet read.
    if (active === null || active === document.body) pendingCard.focusCard();
  }

  private emptyState(): HTMLElement {
    const examples = h('div', { className: 'empty-examples' });
    for (const example of EXAMPLES) {
      const chip = h('button', { className: 'example-chip', attrs: { type: 'button' }, text: example });
      chip.addEventListener('click', () => this.composer.focus(example));
      examples.append(chip);
    }
    return h(
      'div',
      { className: 'empty-state' },
      h('div', { className: 'empty-icon' }, codicon('notebook')),
      h('p', { className: 'empty-title', text: 'Ask for something about your data.' }),
      h('p', { text: this.canRunCode ? 'CodeAct writes Python, you approve it, and it runs in your notebook\'s kernel.' : 'CodeAct writes Python and explains it; code does not run in an untrusted workspace.' }),
      examples,
    );
  }

  private onScroll(): void {
    const { scrollTop, scrollHeight, clientHeight } = this.transcript;
    this.atBottom = scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX;
    this.jumpButton.hidden = this.atBottom;
    const scroll = { top: scrollTop, atBottom: this.atBottom };
    window.clearTimeout(this.scrollSaveTimer);
    this.scrollSaveTimer = window.setTimeout(() => updateUiState({ scroll }), 250);
  }

  /**
   * Keeps the newest output in view, unless the user scrolled up to read. Scrolling waits for
   * the next frame: reading scrollHeight forces a layout, and doing that per streamed token
   * would make a long reply cost quadratic time.
   */
  private followOutput(): void {
    if (!this.atBottom) {
      this.jumpButton.hidden = false;
      return;
    }
    this.scrollFrame ??= requestAnimationFrame(() => {
      this.scrollFrame = undefined;
      if (this.atBottom) this.scrollToEnd();
    });
  }

  private scrollToEnd(): void {
    this.transcript.scrollTop = this.transcript.scrollHeight;
    this.jumpButton.hidden = true;
  }

  /** On the first snapshot after the view was (re)built, returns to where the user was. */
  private restoreScroll(): void {
    const saved = this.restoredScroll ? undefined : loadUiState().scroll;
    this.restoredScroll = true;
    if (saved && !saved.atBottom) {
      this.transcript.scrollTop = saved.top;
      this.atBottom = false;
      this.jumpButton.hidden = false;
    } else {
      this.atBottom = true;
      this.scrollToEnd();
      // Once more after layout settles (code highlighting, images), so the end stays in view.
      this.followOutput();
    }
  }
}

function isPendingAction(entry: TranscriptEntry): boolean {
  return entry.kind === 'action' && entry.status === 'pending';
}

function announcementFor(before: TranscriptEntry | undefined, after: TranscriptEntry): string | undefined {
  switch (after.kind) {
    case 'assistant':
      return before?.kind === 'assistant' && before.streaming && !after.streaming ? 'CodeAct replied.' : undefined;
    case 'notice':
      return before ? undefined : `${after.level === 'error' ? 'Error' : 'Note'}: ${after.text}`;
    case 'action': {
      const was = before?.kind === 'action' ? before.status : undefined;
      if (was === after.status) return undefined;
      if (after.status === 'pending') {
        // Said because focus stays where the user is: how to reach the card, and how it runs.
        const how = `Shift+Tab from the message box reaches it; ${RUN_KEYS} in it runs it.`;
        return after.risks.length > 0 ? `A code action needs your approval. It was flagged as risky. ${how}` : `A code action needs your approval. ${how}`;
      }
      if (after.status === 'ran' || after.status === 'editedAndRan' || after.status === 'autoRan') return after.preview?.isError ? 'The action ran and failed.' : 'The action ran.';
      return undefined;
    }
    default:
      return undefined;
  }
}
