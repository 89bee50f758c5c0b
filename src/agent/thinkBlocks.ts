/**
 * Takes a reasoning model's thinking out of its reply as the text streams in.
 *
 * Local reasoning models (Qwen3, QwQ, DeepSeek-R1) served without a reasoning parser (llama.cpp,
 * LM Studio, vLLM, Ollama) stream their chain of thought at the start of the content, as
 * `<think>…</think>` (some as `<thinking>…</thinking>`). The thought is not the answer: it is
 * not shown, not kept in the history (models are not meant to get old reasoning back, and it
 * would crowd the context window), and never scanned for actions: a model musing "I could run
 * `<execute>os.listdir('/')</execute>`" has proposed nothing.
 *
 * A block is recognised only at the start of the reply (after whitespace or an earlier block),
 * where these models put it; further on, a `<think>` is the answer talking about the tag. Tags
 * may arrive split across chunks ("<thi" + "nk>"): text that may still become a tag is held
 * back until it is decided. Pure: no I/O, no clock.
 */

/** Whether the reply had a think block: 'open' while inside one, or, once finished, when it was never closed. */
export type ThinkingState = 'none' | 'closed' | 'open';

const OPENING_TAGS = ['<think>', '<thinking>'] as const;
const OPENING_TAG = /^<(think|thinking)>/i;
const LONGEST_OPENING_TAG = Math.max(...OPENING_TAGS.map((tag) => tag.length));

type Phase =
  /** At the start of the reply, or right after a think block: a block may open here. */
  | { readonly kind: 'start' }
  | { readonly kind: 'thinking'; readonly closingTag: RegExp; readonly closingLength: number }
  /** The reply proper: everything from here on is passed through. */
  | { readonly kind: 'visible' };

export class ThinkBlockFilter {
  private phase: Phase = { kind: 'start' };
  /** Text not decided yet: whitespace and a possible opening tag, or the tail of a thought that may hold a partial closing tag. */
  private pending = '';
  private sawBlock = false;
  private finished = false;

  /** Adds streamed text; returns the part of it that is now known to be reply text. */
  push(delta: string): string {
    if (this.finished) throw new Error('ThinkBlockFilter: push after finish');
    this.pending += delta;
    return this.drain();
  }

  /** Marks the end of the reply; returns any reply text still held back. */
  finish(): string {
    if (this.finished) return '';
    this.finished = true;
    return this.drain();
  }

  get state(): ThinkingState {
    if (this.phase.kind === 'thinking') return 'open';
    return this.sawBlock ? 'closed' : 'none';
  }

  private drain(): string {
    let out = '';
    for (;;) {
      const phase = this.phase;
      switch (phase.kind) {
        case 'visible':
          out += this.pending;
          this.pending = '';
          return out;
        case 'thinking': {
          const close = phase.closingTag.exec(this.pending);
          if (!close) {
            // The thought is dropped; only a tail that may be the start of the closing tag is kept.
            this.pending = this.pending.slice(Math.max(0, this.pending.length - phase.closingLength + 1));
            return out;
          }
          this.pending = this.pending.slice(close.index + close[0].length);
          this.sawBlock = true;
          this.phase = { kind: 'start' };
          break;
        }
        case 'start': {
          const text = this.pending.trimStart();
          if (text === '') {
            // Whitespace alone may still precede a block. At the end it is kept only in a reply
            // without thinking, which then passes through unchanged.
            if (this.finished) {
              if (!this.sawBlock) out += this.pending;
              this.pending = '';
            }
            return out;
          }
          const opening = OPENING_TAG.exec(text);
          if (opening) {
            const closing = `</${opening[1] ?? 'think'}>`;
            this.phase = { kind: 'thinking', closingTag: new RegExp(closing, 'i'), closingLength: closing.length };
            this.pending = text.slice(opening[0].length);
            break;
          }
          if (!this.finished && mayBecomeOpeningTag(text)) return out;
          // The reply proper begins. Whitespace between a think block and the reply is dropped;
          // without a block the text is passed on exactly as it came.
          if (this.sawBlock) this.pending = text;
          this.phase = { kind: 'visible' };
          break;
        }
      }
    }
  }
}

function mayBecomeOpeningTag(text: string): boolean {
  if (text.length >= LONGEST_OPENING_TAG) return false;
  const lower = text.toLowerCase();
  return OPENING_TAGS.some((tag) => tag.startsWith(lower));
}

/** Splits a whole reply at once: its text without think blocks, and how thinking ended. */
export function removeThinkBlocks(text: string): { readonly text: string; readonly thinking: ThinkingState } {
  const filter = new ThinkBlockFilter();
  const visible = filter.push(text) + filter.finish();
  return { text: visible, thinking: filter.state };
}
