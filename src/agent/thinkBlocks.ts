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
 *
 * Some chat templates (QwQ, current DeepSeek-R1 and its distills) write the opening `<think>\n`
 * into the prompt, so the reply starts mid-thought and only ever closes it. For those the
 * filter starts inside an implied thought (see {@link ThinkBlockOptions.startsInThought}).
 */

/** Whether the reply had a think block: 'open' while inside one, or, once finished, when it was never closed. */
export type ThinkingState = 'none' | 'closed' | 'open';

export interface ThinkBlockOptions {
  /**
   * The reply begins inside a thought whose opening tag was in the prompt: everything up to the
   * first `</think>` (or `</thinking>`) is thought. Until that tag comes the text is held back,
   * neither shown nor scanned; a reply that ends without it had no thought after all and is
   * released whole, so a model wrongly assumed to think loses nothing (its reply just shows at
   * the end instead of streaming). An explicit `<think>` at the start still opens a block.
   */
  readonly startsInThought?: boolean;
}

const OPENING_TAGS = ['<think>', '<thinking>'] as const;
const OPENING_TAG = /^<(think|thinking)>/i;
const LONGEST_OPENING_TAG = Math.max(...OPENING_TAGS.map((tag) => tag.length));
/** Either closing tag: a thought opened in the prompt has no tag of its own to match. */
const ANY_CLOSING_TAG_SOURCE = '</think(?:ing)?>';
const LONGEST_CLOSING_TAG = '</thinking>'.length;

type Phase =
  /** At the start of the reply, or right after a think block: a block may open here. */
  | { readonly kind: 'start' }
  | { readonly kind: 'thinking'; readonly closingTag: RegExp; readonly closingLength: number }
  /** Inside a thought opened in the prompt: held whole, as it is the reply if no closing tag comes. */
  | { readonly kind: 'impliedThought' }
  /** The reply proper: everything from here on is passed through. */
  | { readonly kind: 'visible' };

export class ThinkBlockFilter {
  private phase: Phase = { kind: 'start' };
  /** Text not decided yet: whitespace and a possible opening tag, or the tail of a thought that may hold a partial closing tag (an implied thought: all of it). */
  private pending = '';
  private sawBlock = false;
  private closedImpliedThought = false;
  private finished = false;
  private cutOff = false;
  private startsInThought: boolean;
  /** Global, so a search of the held implied thought resumes where the last one ended rather than rescanning it all. */
  private readonly impliedClosingTag = new RegExp(ANY_CLOSING_TAG_SOURCE, 'gi');

  constructor(options: ThinkBlockOptions = {}) {
    this.startsInThought = options.startsInThought ?? false;
  }

  /**
   * The server sends the model's reasoning apart from the text (`reasoning_content`): a thought
   * assumed to have opened in the prompt is not in the text after all. Returns the text held
   * back for it, now known to be the reply's.
   */
  thoughtIsApart(): string {
    this.startsInThought = false;
    if (this.phase.kind !== 'impliedThought' || this.finished) return '';
    this.phase = { kind: 'start' };
    return this.drain();
  }

  /** Adds streamed text; returns the part of it that is now known to be reply text. */
  push(delta: string): string {
    if (this.finished) throw new Error('ThinkBlockFilter: push after finish');
    this.pending += delta;
    return this.drain();
  }

  /** Marks the end of the reply; returns any reply text still held back. */
  /**
   * Marks the end of the reply; returns any reply text still held back. `cutOff`: the reply
   * ended at the output limit (or a filter), so a thought assumed to have started in the prompt
   * and never closed was cut off mid-thought: it stays thought, not released as the reply.
   */
  finish(cutOff = false): string {
    if (this.finished) return '';
    this.finished = true;
    this.cutOff = cutOff;
    return this.drain();
  }

  get state(): ThinkingState {
    if (this.phase.kind === 'thinking' || this.phase.kind === 'impliedThought') return 'open';
    return this.sawBlock ? 'closed' : 'none';
  }

  /** Whether the reply closed a thought it never opened: the model's template opens it in the prompt. */
  get thoughtOpenedInPrompt(): boolean {
    return this.closedImpliedThought;
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
        case 'impliedThought': {
          const close = this.impliedClosingTag.exec(this.pending);
          if (!close) {
            if (this.finished && !this.cutOff) {
              // No closing tag: the model was not thinking after all, and all of it is the reply.
              this.phase = { kind: 'visible' };
              break;
            }
            if (this.finished) {
              this.pending = '';
              return out;
            }
            this.impliedClosingTag.lastIndex = Math.max(0, this.pending.length - LONGEST_CLOSING_TAG + 1);
            return out;
          }
          this.pending = this.pending.slice(close.index + close[0].length);
          this.sawBlock = true;
          this.closedImpliedThought = true;
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
          if (this.startsInThought && !this.sawBlock) {
            // Kept as it came, whitespace included, in case it has to be released as the reply.
            this.impliedClosingTag.lastIndex = 0;
            this.phase = { kind: 'impliedThought' };
            break;
          }
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

/**
 * Models whose chat template writes the opening `<think>` into the prompt: QwQ, and DeepSeek-R1
 * and its distills since the 2025 template update. Not `deepseek-reasoner`, DeepSeek's own
 * API, which returns the reasoning apart from the content.
 */
export function thoughtOpensInPrompt(modelId: string): boolean {
  return /qwq|deepseek[-_]r1|r1[-_]distill/i.test(modelId);
}

/** Whether only spaces stand between `index` and the start of its line (or of the text). */
function startsLine(text: string, index: number): boolean {
  return /(^|\n)[ \t]*$/.test(text.slice(Math.max(0, index - 200), index));
}

/** What one more piece of a reply changed in its text without the thought. */
export interface ThoughtSeparatorStep {
  /** Newly known reply text; after a restart, the reply text from its beginning. */
  readonly text: string;
  /** Everything handed out before was thought after all: forget it, `text` starts over. */
  readonly restarted: boolean;
}

/**
 * A ThinkBlockFilter that also learns, with hindsight, that a reply began inside a thought. A
 * model not known to have its `<think>` in the prompt may still turn out to (a local model
 * under a name of its own): its reply then shows a stray `</think>` with no opening tag before
 * it. Seen before the stream ends, that reply is read again from the start as one that began
 * in a thought, and the text handed out so far is withdrawn. A thought whose action completed
 * earlier ended the stream before its `</think>` came and cannot be caught here; the agent
 * starts the model's later replies inside a thought (see `thoughtOpenedInPrompt`).
 */
export class ThoughtSeparator {
  private filter: ThinkBlockFilter;
  /** The raw reply so far, while a stray closing tag may still turn up. */
  private received = '';
  private watching: boolean;
  /** The first tag of either kind: an opening tag first means no later closing tag is stray. */
  private readonly firstTag = /<\/?think(?:ing)?>/gi;

  constructor(options: ThinkBlockOptions = {}) {
    this.filter = new ThinkBlockFilter(options);
    this.watching = !(options.startsInThought ?? false);
  }

  push(delta: string): ThoughtSeparatorStep {
    if (this.watching) {
      this.received += delta;
      const tag = this.firstTag.exec(this.received);
      // Models end a thought with the tag on a line of its own. Inside a line it is quoted or
      // code (`text.split('</think>')` while cleaning a column of model outputs): not a thought.
      if (tag?.[0].startsWith('</') && !startsLine(this.received, tag.index)) {
        this.watching = false;
        this.received = '';
      } else if (tag?.[0].startsWith('</')) {
        this.watching = false;
        this.filter = new ThinkBlockFilter({ startsInThought: true });
        const text = this.filter.push(this.received);
        this.received = '';
        return { text, restarted: true };
      }
      if (tag) {
        this.watching = false;
        this.received = '';
      } else {
        this.firstTag.lastIndex = Math.max(0, this.received.length - LONGEST_CLOSING_TAG + 1);
      }
    }
    return { text: this.filter.push(delta), restarted: false };
  }

  /** Marks the end of the reply; returns any reply text still held back. */
  finish(cutOff = false): string {
    this.watching = false;
    this.received = '';
    return this.filter.finish(cutOff);
  }

  /** See ThinkBlockFilter.thoughtIsApart; a stray `</think>` is not looked for any more either. */
  thoughtIsApart(): string {
    this.watching = false;
    this.received = '';
    return this.filter.thoughtIsApart();
  }

  get state(): ThinkingState {
    return this.filter.state;
  }

  /** Whether the reply closed a thought it never opened (see {@link ThinkBlockFilter.thoughtOpenedInPrompt}). */
  get thoughtOpenedInPrompt(): boolean {
    return this.filter.thoughtOpenedInPrompt;
  }
}
