import type { Links, Token, Tokens, TokensList } from 'marked';
import { LiveFence } from './liveFence';
import { lexMarkdown, renderTokens } from './renderTokens';

/** Index of the last token that is not blank space, or -1. */
function lastContentIndex(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i]?.type !== 'space') return i;
  return -1;
}

/**
 * Renders markdown that arrives in pieces, without re-parsing the whole text per piece.
 *
 * The text is cut at top-level block boundaries. Blocks before the last one are rendered once
 * and frozen; only the last, still-open block is re-rendered per delta. A block is frozen only
 * once the first line of the block after it is complete, because until then the next block may
 * still turn out to continue it (`1. a\n\n2` becomes one list once `. b` arrives). An open
 * fenced code block is streamed line by line by {@link LiveFence}. `finish()` renders what is
 * left; streamed and one-shot (`setText` then `finish`) renderings give the same DOM.
 */
export class StreamingMarkdown {
  private text = '';
  /** text[0, frozenEnd) is rendered in frozen nodes, which are never touched again. */
  private frozenEnd = 0;
  private liveNodes: ChildNode[] = [];
  private fence: LiveFence | undefined;
  private finished = false;
  /** Reference link definitions seen so far; a use frozen before its definition needs a final re-render. */
  private links: Links = {};

  constructor(private readonly container: HTMLElement) {
    container.classList.add('markdown');
  }

  /** All text received so far. */
  get value(): string {
    return this.text;
  }

  append(delta: string): void {
    if (!delta) return;
    if (this.finished) {
      // More text after finish: render it as a continuation.
      this.finished = false;
    }
    this.text += delta.replace(/\r/g, '');
    this.update(false);
  }

  /** Replaces everything with `text`, rendered as if it had streamed in at once. */
  setText(text: string): void {
    this.container.replaceChildren();
    this.text = '';
    this.frozenEnd = 0;
    this.liveNodes = [];
    this.fence = undefined;
    this.finished = false;
    this.links = {};
    this.append(text);
  }

  /** The reply is complete: renders the last block for good. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.update(true);
    if (Object.keys(this.links).length > 0) {
      // A `[text][id]` may have been frozen before `[id]: url` arrived: render once, whole.
      this.container.replaceChildren(renderTokens(lexMarkdown(this.text)));
    }
  }

  private lex(text: string): TokensList {
    return lexMarkdown(text, this.links);
  }

  private update(final: boolean): void {
    for (;;) {
      if (this.fence) {
        const end = this.fence.feed(this.text);
        if (end === undefined && !final) return;
        const fence = this.fence;
        this.fence = undefined;
        const blockEnd = end ?? this.text.length;
        const rendered = renderTokens(this.lex(this.text.slice(fence.start, blockEnd)));
        fence.element.replaceWith(rendered);
        this.frozenEnd = blockEnd;
        continue;
      }
      const tail = this.text.slice(this.frozenEnd);
      const tokens = this.lex(tail);
      if (final) {
        this.freeze(tokens, tail.length);
        return;
      }
      const last = lastContentIndex(tokens);
      if (last < 0) {
        this.replaceLive(document.createDocumentFragment());
        return;
      }
      const lastStart = tokens.slice(0, last).reduce((sum, token) => sum + token.raw.length, 0);
      const consistent = tail.startsWith(tokens.slice(0, last).map((token) => token.raw).join(''));
      if (last > 0 && consistent && tail.includes('\n', lastStart)) {
        this.freeze(tokens.slice(0, last), lastStart);
        continue;
      }
      const lastToken = tokens[last];
      if (last === 0 && lastToken?.type === 'code' && lastToken.codeBlockStyle !== 'indented') {
        const fence = LiveFence.open(tail, this.frozenEnd);
        if (fence) {
          this.replaceLive(document.createDocumentFragment());
          this.fence = fence;
          this.container.append(fence.element);
          continue;
        }
      }
      this.replaceLive(renderTokens(tokens));
      return;
    }
  }

  /** Renders tokens covering the next `length` characters of the text as frozen blocks. */
  private freeze(tokens: readonly Token[], length: number): void {
    // Only definitions in frozen text are final; a half-streamed one may still change.
    for (const token of tokens) {
      if (token.type !== 'def') continue;
      const { tag, href, title } = token as Tokens.Def;
      this.links = { ...this.links, [tag]: { href, title } };
    }
    this.replaceLive(renderTokens(tokens));
    this.liveNodes = [];
    this.frozenEnd += length;
  }

  private replaceLive(fragment: DocumentFragment): void {
    for (const node of this.liveNodes) node.remove();
    this.liveNodes = Array.from(fragment.childNodes);
    this.container.append(fragment);
  }
}
