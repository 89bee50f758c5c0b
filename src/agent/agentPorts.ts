/**
 * What the CodeAct loop needs from the outside (a way to run code, a way to ask the user) and
 * what it tells the outside (events for the UI). The host implements these with the kernel
 * layer and the chat view; tests implement them directly. No `vscode` import.
 */
import type { ActionStatus } from '../shared/protocol';
import type { FinishReason, ModelImage } from '../llm/chatModel';
import type { ModelFailureKind } from '../llm/modelFailure';
import type { ActionSource } from './actionParser';
import type { ActionLanguage } from './actionMarkup';
import type { ConversationState } from './conversation';
import type { ShortenedObservation } from './contextBudget';

/** How an action's execution ended (the kernel layer's statuses). */
export type ObservationStatus = 'ok' | 'error' | 'timeout' | 'interrupted' | 'died' | 'cancelled';

/** The result of running an action, as the model will read it. */
export interface ActionObservation {
  /** Output text, already budgeted (head and tail kept) by the runner. */
  readonly text: string;
  readonly images: readonly ModelImage[];
  readonly status: ObservationStatus;
}

/** Runs code in the kernel. Aborting `signal` interrupts the running code. */
export interface ActionRunner {
  run(action: { readonly actionId: string; readonly code: string }, signal: AbortSignal): Promise<ActionObservation>;
}

/** A code action the model proposed, waiting for the user's decision. */
export interface ProposedAction {
  readonly id: string;
  readonly code: string;
  readonly source: ActionSource;
  /** 'bash' for a shell command (`<execute_bash>`), which `code` runs as a `%%bash` cell. */
  readonly language: ActionLanguage;
  /** 1 for the first action of the user's request, 2 for the next… */
  readonly index: number;
}

export type ApprovalDecision =
  /** Run `code` (the user's edit when `edited`). `auto`: approved by policy without asking. */
  | { readonly kind: 'run'; readonly code: string; readonly edited: boolean; readonly auto?: boolean }
  | { readonly kind: 'skip' }
  | { readonly kind: 'reject'; readonly feedback: string }
  /** No code may run at all (an untrusted workspace): the turn ends, saying why. */
  | { readonly kind: 'deny'; readonly reason: string };

/**
 * Asks the user about an action. Implementations keep a deferred per pending action and settle
 * it from the UI (never poll); aborting `signal` must reject or settle the pending decision.
 */
export interface ApprovalGate {
  decide(action: ProposedAction, signal: AbortSignal): Promise<ApprovalDecision>;
}

/** Why a turn ended. */
export type TurnEndReason =
  | 'answered' // the model replied without an action
  | 'stopped' // the user pressed Stop
  | 'rejected' // the user rejected an action without saying what to do instead
  | 'denied' // code cannot run here at all (an untrusted workspace)
  | 'maxActions' // the per-request action limit
  | 'consecutiveFailures' // too many failed attempts in a row
  | 'repeatedAction' // the model proposed the same code again
  | 'contextFull' // the conversation no longer fits the model's window
  | 'modelError'; // the model request failed (after retries)

export type NoticeLevel = 'info' | 'warning' | 'error';

/** Everything the UI hears from a turn, in order. */
export type AgentEvent =
  /** A model reply starts streaming. */
  | { readonly type: 'replyStarted'; readonly replyId: string }
  /** More prose of the reply (never action code: that arrives as actionProposed). */
  | { readonly type: 'replyDelta'; readonly replyId: string; readonly delta: string }
  /** The request was retried after prose had streamed: drop the reply's text so far. */
  | { readonly type: 'replyReset'; readonly replyId: string }
  /** The reply is complete; `prose` is its final shown text (may be empty). */
  | { readonly type: 'replyFinished'; readonly replyId: string; readonly prose: string; readonly finishReason: FinishReason }
  | { readonly type: 'actionProposed'; readonly replyId: string; readonly action: ProposedAction }
  /** The user's (or the policy's) decision; status is 'running', 'skipped', 'rejected' or 'cancelled'. */
  | {
      readonly type: 'actionDecided';
      readonly actionId: string;
      readonly status: ActionStatus;
      /** The code that will run (the edit, when edited). */
      readonly code: string;
      readonly feedback?: string;
    }
  | {
      readonly type: 'actionFinished';
      readonly actionId: string;
      /** 'ran', 'editedAndRan', 'autoRan' or 'cancelled' (stopped while running). */
      readonly status: ActionStatus;
      readonly observation: ActionObservation;
      readonly durationMs: number;
    }
  | { readonly type: 'notice'; readonly level: NoticeLevel; readonly text: string }
  /** Tokens of one reply: the provider's report, or (`estimated`) the agent's estimate when none came. */
  | { readonly type: 'usage'; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number | undefined; readonly estimated: boolean }
  /** Older observations were shortened to fit the context window. */
  | { readonly type: 'contextShortened'; readonly shortened: readonly ShortenedObservation[]; readonly text: string }
  /** The conversation changed: a good moment to persist it. */
  | { readonly type: 'conversationChanged'; readonly conversation: ConversationState }
  | { readonly type: 'turnEnded'; readonly reason: TurnEndReason; readonly message: string | undefined; readonly failure?: ModelFailureKind };

export type AgentEventSink = (event: AgentEvent) => void;
