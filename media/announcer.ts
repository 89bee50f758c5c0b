import { h } from './dom';

/**
 * What a screen reader hears of the chat. The transcript itself is not a live region (every
 * streamed word, and every card rebuilt, would be read out again); instead the moments that
 * matter are said here, once: a reply finished, an action waits for approval, it ran or
 * failed, an error.
 */
export class Announcer {
  readonly element = h('div', { className: 'offscreen', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } });

  say(text: string): void {
    // Clearing first makes the same words ("The action ran.") heard again the next time.
    this.element.textContent = '';
    window.setTimeout(() => (this.element.textContent = text), 50);
  }
}
