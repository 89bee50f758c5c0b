/**
 * The streaming side of action parsing: which prose of a reply is safe to show yet, and when the
 * first action is complete so the stream can stop. Shares its ReplyScanner with parseReply, so
 * the two never disagree. Pure.
 */
import { type ActionFormat, ReplyScanner } from './replyScanner';
import { type ThinkBlockOptions, type ThinkingState, ThoughtSeparator } from './thinkBlocks';

/** What the stream watcher learned from one more piece of text. */
export interface StreamProgress {
  /** Newly safe prose to show the user (never part of an action's markup or code). */
  readonly proseDelta: string;
  /** The first action is complete: stop the stream now. */
  readonly actionComplete: boolean;
  /** The prose shown so far was thought after all (see ThoughtSeparator): forget it before showing `proseDelta`. */
  readonly proseReset: boolean;
}

/**
 * Watches a streaming reply: hands out prose as soon as it cannot become part of an action, and
 * says when the first action is complete so the agent stops the stream (one action per reply;
 * needed for fenced blocks, which have no stop sequence, and for servers that ignore `stop`).
 * A reasoning model's think block is taken out first: it is neither prose nor a place for actions.
 */
export class ActionStreamDetector {
  private readonly thoughts: ThoughtSeparator;
  /** Undefined in 'tools' format: tool calls arrive outside the text, so all text is prose. */
  private scanner: ReplyScanner | undefined;
  private visibleText = '';
  private shownProse = 0;

  constructor(
    private readonly format: ActionFormat,
    thinking: ThinkBlockOptions = {},
  ) {
    this.thoughts = new ThoughtSeparator(thinking);
    this.scanner = this.newScanner();
  }

  push(delta: string): StreamProgress {
    const step = this.thoughts.push(delta);
    const proseReset = step.restarted && this.shownProse > 0;
    if (step.restarted) {
      // Read again from the start: nothing before the stray </think> is prose or an action.
      this.visibleText = '';
      this.shownProse = 0;
      this.scanner = this.newScanner();
    }
    return this.show(step.text, proseReset);
  }

  /** The server sends the reasoning apart from the text (see ThinkBlockFilter.thoughtIsApart). */
  thoughtIsApart(): StreamProgress {
    return this.show(this.thoughts.thoughtIsApart(), false);
  }

  private show(visible: string, proseReset: boolean): StreamProgress {
    this.visibleText += visible;
    if (!this.scanner) return { proseDelta: this.takeProse(this.visibleText.length), actionComplete: false, proseReset };
    this.scanner.append(visible);
    const snapshot = this.scanner.snapshot();
    return { proseDelta: this.takeProse(snapshot.proseEnd), actionComplete: snapshot.action?.end !== undefined, proseReset };
  }

  /** The end of the reply: any prose still held back is released. */
  /** `cutOff`: the reply ended at the output limit or a content filter (see ThinkBlockFilter.finish). */
  finish(cutOff = false): string {
    const visible = this.thoughts.finish(cutOff);
    this.visibleText += visible;
    if (!this.scanner) return this.takeProse(this.visibleText.length);
    this.scanner.append(visible);
    this.scanner.finish();
    return this.takeProse(this.scanner.snapshot().proseEnd);
  }

  /** All text received, without think blocks. */
  get text(): string {
    return this.visibleText;
  }

  /** Whether the reply had a think block, and whether it is (or ended) still open. */
  get thinking(): ThinkingState {
    return this.thoughts.state;
  }

  /** Whether the reply closed a thought it never opened: its opening tag is in the model's prompt. */
  get thoughtOpenedInPrompt(): boolean {
    return this.thoughts.thoughtOpenedInPrompt;
  }

  /** Prose shown so far. */
  get prose(): string {
    return this.visibleText.slice(0, this.shownProse);
  }

  private newScanner(): ReplyScanner | undefined {
    return this.format === 'tools' ? undefined : new ReplyScanner(this.format);
  }

  private takeProse(proseEnd: number): string {
    if (proseEnd <= this.shownProse) return '';
    const delta = this.visibleText.slice(this.shownProse, proseEnd);
    this.shownProse = proseEnd;
    return delta;
  }
}
