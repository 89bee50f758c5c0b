import type { AssistantEntry, NoticeEntry, NoticeFix, TranscriptEntry } from '../src/shared/protocol';
import { NOTICE_FIX_LABELS, assertNever } from '../src/shared/protocol';
import { ApprovalCard } from './approvalCard';
import { copyButton } from './copyButton';
import { codicon, h } from './dom';
import { StreamingMarkdown } from './markdown/streamingMarkdown';
import { postToHost } from './vscodeApi';

/** One rendered transcript entry that can take updates from the host. */
export interface EntryView {
  readonly element: HTMLElement;
  /** Applies a newer version of the same entry; returns false when it must be rebuilt instead. */
  update(entry: TranscriptEntry): boolean;
  /** A pending approval card, when this entry is one (so the view can focus it). */
  readonly card?: ApprovalCard;
}

/** A model reply: markdown that may still be streaming. */
export class AssistantEntryView implements EntryView {
  readonly element: HTMLElement;
  private readonly markdown: StreamingMarkdown;

  constructor(entry: AssistantEntry) {
    const body = h('div', { className: 'entry-body' });
    // The reply's markdown as the model wrote it (for notes, an issue, another chat).
    const copy = copyButton(() => this.markdown.value, 'Copy reply');
    copy.classList.add('reply-copy');
    this.element = h('div', { className: 'entry entry-assistant', attrs: { 'data-entry-id': entry.id } }, body, copy);
    this.markdown = new StreamingMarkdown(body);
    this.markdown.append(entry.text);
    this.setStreaming(entry.streaming);
  }

  appendDelta(delta: string): void {
    this.markdown.append(delta);
  }

  update(entry: TranscriptEntry): boolean {
    if (entry.kind !== 'assistant') return false;
    const shown = this.markdown.value;
    // The host's text normally extends what streamed in; anything else is re-rendered.
    if (entry.text.startsWith(shown)) this.markdown.append(entry.text.slice(shown.length));
    else this.markdown.setText(entry.text);
    this.setStreaming(entry.streaming);
    return true;
  }

  private setStreaming(streaming: boolean): void {
    this.element.classList.toggle('streaming', streaming);
    this.element.setAttribute('aria-busy', String(streaming));
    if (!streaming) this.markdown.finish();
  }
}

class CardEntryView implements EntryView {
  readonly card: ApprovalCard;
  readonly element: HTMLElement;

  constructor(card: ApprovalCard) {
    this.card = card;
    this.element = card.element;
  }

  update(entry: TranscriptEntry): boolean {
    if (entry.kind !== 'action') return false;
    this.card.update(entry);
    return true;
  }
}

const NOTICE_ICONS: Record<NoticeEntry['level'], string> = { info: 'info', warning: 'warning', error: 'error' };

/** "Retry" on a failed model request; the host ignores it unless that failure is the latest entry. */
function retryButton(): HTMLButtonElement {
  const button = h('button', { className: 'notice-action', attrs: { type: 'button', title: 'Ask the model again' } }, codicon('refresh'), h('span', { text: 'Retry' }));
  button.addEventListener('click', () => {
    button.disabled = true;
    postToHost({ type: 'retryTurn' });
  });
  return button;
}

/** Does what the notice says to do ("Set API Key"); the host runs the matching command. */
function fixButton(fix: NoticeFix): HTMLButtonElement {
  const button = h('button', { className: 'notice-action', attrs: { type: 'button' } }, h('span', { text: NOTICE_FIX_LABELS[fix] }));
  button.addEventListener('click', () => postToHost({ type: 'applyNoticeFix', fix }));
  return button;
}

/** A view for an entry that is rendered once and replaced as a whole on update. */
function staticView(element: HTMLElement): EntryView {
  return { element, update: () => false };
}

/** Renders one transcript entry. Text from the model goes through the markdown sanitizer; everything else in as text. */
export function createEntryView(entry: TranscriptEntry): EntryView {
  switch (entry.kind) {
    case 'user':
      return staticView(h('div', { className: 'entry entry-user', attrs: { 'data-entry-id': entry.id } }, h('div', { className: 'entry-body', text: entry.text })));
    case 'assistant':
      return new AssistantEntryView(entry);
    case 'notice':
      return staticView(
        h(
          'div',
          { className: `entry entry-notice notice-${entry.level}`, attrs: { 'data-entry-id': entry.id, role: entry.level === 'error' ? 'alert' : 'status' } },
          codicon(NOTICE_ICONS[entry.level]),
          h('div', { className: 'entry-body', text: entry.text }),
          entry.fix ? fixButton(entry.fix) : undefined,
          entry.alternativeFix ? fixButton(entry.alternativeFix) : undefined,
          entry.retry ? retryButton() : undefined,
        ),
      );
    case 'action':
      return new CardEntryView(new ApprovalCard(entry));
    default:
      return assertNever(entry);
  }
}
