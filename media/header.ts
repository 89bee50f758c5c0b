import type { ChatHeader, ChatSummary, HeaderTarget } from '../src/shared/protocol';
import { codicon, h } from './dom';
import { PastChatsMenu } from './pastChats';
import { postToHost } from './vscodeApi';

const TARGETS: readonly { readonly target: HeaderTarget; readonly icon: string; readonly empty: string }[] = [
  { target: 'notebook', icon: 'notebook', empty: 'No notebook' },
  { target: 'kernel', icon: 'server-environment', empty: 'No kernel' },
  { target: 'model', icon: 'sparkle', empty: 'No model' },
];

/**
 * The top of the chat: what the agent works on (notebook, kernel, model, each a button that asks
 * the host to change it), then Past chats.
 */
export class ChatHeaderBar {
  readonly element: HTMLElement;
  private readonly pastChats = new PastChatsMenu();
  /** Built once and updated in place, so a status update never takes keyboard focus away. */
  private readonly buttons = new Map<HeaderTarget, { readonly button: HTMLButtonElement; readonly label: HTMLElement }>();

  constructor() {
    const targets = h('div', { className: 'header-targets', attrs: { role: 'group', 'aria-label': 'Chat target' } });
    for (const { target, icon } of TARGETS) {
      const label = h('span', { className: 'header-item-label' });
      const button = h('button', { className: `header-item header-${target}`, attrs: { type: 'button' } }, codicon(icon), label, codicon('chevron-down'));
      button.addEventListener('click', () => postToHost({ type: 'changeHeader', target }));
      this.buttons.set(target, { button, label });
      targets.append(button);
    }
    // New chat is the view's own title action (+), as in VS Code's chat; not repeated here.
    const actions = h('div', { className: 'header-actions' }, this.pastChats.toggle);
    this.element = h('header', { className: 'chat-header' }, h('div', { className: 'chat-header-row' }, targets, actions), this.pastChats.panel);
  }

  render(header: ChatHeader): void {
    for (const { target, empty } of TARGETS) {
      const parts = this.buttons.get(target);
      if (!parts) continue;
      const value = header[target];
      const text = value || empty;
      parts.label.textContent = text;
      parts.button.classList.toggle('is-empty', !value);
      parts.button.title = `${text} (change ${target})`;
      parts.button.setAttribute('aria-label', `${target}: ${text}. Change ${target}`);
    }
  }

  renderPastChats(chats: readonly ChatSummary[], currentId: string): void {
    this.pastChats.update(chats, currentId);
  }
}
