import type { ChatSummary } from '../src/shared/protocol';
import { codicon, h } from './dom';
import { formatRelativeTime } from './format';
import { postToHost } from './vscodeApi';

/**
 * The "Past chats" button and the list it opens under the header. Choosing a chat posts
 * `openChat`, its trash button `deleteChat`; Escape, a click elsewhere or a choice closes the list.
 */
export class PastChatsMenu {
  readonly toggle: HTMLButtonElement;
  readonly panel: HTMLElement;
  private readonly list = h('ul', { className: 'past-chats-list' });
  private chats: readonly ChatSummary[] = [];
  private currentId = '';

  constructor() {
    this.toggle = h('button', { className: 'icon-button past-chats-toggle', attrs: { type: 'button', 'aria-label': 'Past chats', title: 'Past chats', 'aria-expanded': 'false', 'aria-controls': 'past-chats' } }, codicon('history'));
    this.panel = h('nav', { className: 'past-chats', attrs: { id: 'past-chats', 'aria-label': 'Past chats' } }, h('div', { className: 'past-chats-title', text: 'Past chats' }), this.list);
    this.panel.hidden = true;
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    this.panel.addEventListener('keydown', (event) => this.onKeyDown(event));
    document.addEventListener('mousedown', (event) => {
      if (!this.panel.hidden && event.target instanceof Node && !this.panel.contains(event.target) && !this.toggle.contains(event.target)) this.setOpen(false);
    });
  }

  update(chats: readonly ChatSummary[], currentId: string): void {
    this.chats = chats;
    this.currentId = currentId;
    if (!this.panel.hidden) this.renderList();
  }

  setOpen(open: boolean, restoreFocus = false): void {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.classList.toggle('is-active', open);
    if (open) {
      this.renderList();
      this.items()[0]?.focus();
    } else if (restoreFocus) {
      this.toggle.focus();
    }
  }

  private renderList(): void {
    const now = Date.now();
    if (this.chats.length === 0) {
      this.list.replaceChildren(h('li', { className: 'past-chats-empty', text: 'No past chats yet' }));
      return;
    }
    this.list.replaceChildren(
      ...this.chats.map((chat) => {
        const current = chat.id === this.currentId;
        const item = h(
          'button',
          { className: `past-chat${current ? ' is-current' : ''}`, attrs: { type: 'button', ...(current ? { 'aria-current': 'true' } : {}) } },
          codicon(current ? 'comment-discussion' : 'comment'),
          h('span', { className: 'past-chat-title', text: chat.title || 'Untitled chat' }),
          h('span', { className: 'past-chat-time', text: formatRelativeTime(chat.updatedAt, now) }),
        );
        item.addEventListener('click', () => {
          this.setOpen(false);
          if (!current) postToHost({ type: 'openChat', chatId: chat.id });
        });
        // The host asks before deleting: a chat cannot be brought back.
        const remove = h(
          'button',
          { className: 'icon-button past-chat-delete', attrs: { type: 'button', 'aria-label': `Delete chat: ${chat.title || 'Untitled chat'}`, title: 'Delete chat' } },
          codicon('trash'),
        );
        remove.addEventListener('click', () => postToHost({ type: 'deleteChat', chatId: chat.id }));
        return h('li', { className: 'past-chat-row' }, item, remove);
      }),
    );
  }

  private items(): HTMLButtonElement[] {
    return Array.from(this.list.querySelectorAll<HTMLButtonElement>('button.past-chat'));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.setOpen(false, true);
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const items = this.items();
    const index = items.findIndex((item) => item === document.activeElement);
    const next = items[(index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
    event.preventDefault();
    next?.focus();
  }
}
