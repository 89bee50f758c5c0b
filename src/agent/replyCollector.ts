/**
 * Streams one model reply: hands prose to the UI as it becomes safe to show (a reasoning
 * model's think block never is), stops the stream as soon as the first action is complete,
 * assembles tool calls from their deltas, starts over when the provider retries after text had
 * already streamed, and estimates the reply's usage when the provider's report never came.
 *
 * Failures come back as data with the prose streamed so far (the turn keeps it when the user
 * pressed Stop mid-reply), never as a throw.
 */
import { randomUUID } from 'node:crypto';
import type { ChatDelta, ChatModel, ChatRequest, FinishReason, ModelToolCall } from '../llm/chatModel';
import { ActionStreamDetector, type StreamProgress } from './actionStreamDetector';
import { estimateReplyUsage, type ReplyUsage } from './replyUsage';
import type { ActionFormat } from './replyScanner';
import type { ThinkBlockOptions, ThinkingState } from './thinkBlocks';

export interface CollectedReply {
  /** The reply's text without its think blocks: the thought is neither shown nor kept. */
  readonly text: string;
  /** Whether the reply had a think block; 'open' when it ended inside one. */
  readonly thinking: ThinkingState;
  /** The reply closed a thought it never opened: the model's template opens it in the prompt, so its later replies start inside one. */
  readonly thoughtOpenedInPrompt: boolean;
  /** The server sent the reasoning apart from the text: the text holds no thought to look for. */
  readonly reasoningApart: boolean;
  readonly toolCalls: readonly ModelToolCall[];
  /** 'stop' when the agent itself ended the stream after a complete action. */
  readonly finishReason: FinishReason;
  readonly usage: ReplyUsage | undefined;
}

export type ReplyOutcome =
  | { readonly kind: 'complete'; readonly reply: CollectedReply }
  | { readonly kind: 'failed'; readonly error: unknown; readonly partialProse: string; readonly usage: ReplyUsage | undefined };

export interface ReplyListener {
  /** More prose to show. */
  prose(delta: string): void;
  /**
   * Forget the prose shown so far: the provider retried after text had streamed, or a stray
   * `</think>` showed it was thought (see ThoughtSeparator).
   */
  reset(): void;
  /** The provider will retry after a failure. */
  retrying(retry: Extract<ChatDelta, { type: 'retry' }>): void;
}

interface ToolCallParts {
  id: string;
  name: string;
  argumentsJson: string;
}

export async function collectReply(
  model: ChatModel,
  request: ChatRequest,
  format: ActionFormat,
  signal: AbortSignal,
  listener: ReplyListener,
  thinking: ThinkBlockOptions = {},
): Promise<ReplyOutcome> {
  let detector = new ActionStreamDetector(format, thinking);
  let toolCalls = new Map<number, ToolCallParts>();
  let finishReason: FinishReason | undefined;
  let usage: ReplyUsage | undefined;
  let stoppedAfterAction = false;
  /** The server sent the model's reasoning apart from the text (see ThinkBlockFilter.thoughtIsApart). */
  let reasoningApart = false;
  /** Everything the model produced (thinking and tool calls included), for a usage estimate. */
  let received = '';
  const usageOrEstimate = (): ReplyUsage | undefined => {
    if (usage) return usage;
    // Nothing received: the request failed before the model produced anything, which is
    // usually before anything was billed.
    return received === '' ? undefined : estimateReplyUsage(model, request, received);
  };

  /** Shows what the detector made visible; true once the first action is complete. */
  const show = (progress: StreamProgress): boolean => {
    if (progress.proseReset) listener.reset();
    if (progress.proseDelta) listener.prose(progress.proseDelta);
    return progress.actionComplete;
  };

  try {
    stream: for await (const delta of model.stream(request, signal)) {
      switch (delta.type) {
        case 'text':
          received += delta.text;
          if (show(detector.push(delta.text))) {
            // One action per reply: leaving the loop ends the HTTP request.
            stoppedAfterAction = true;
            break stream;
          }
          break;
        case 'reasoning':
          if (reasoningApart) break;
          reasoningApart = true;
          if (show(detector.thoughtIsApart())) {
            stoppedAfterAction = true;
            break stream;
          }
          break;
        case 'toolCall': {
          received += (delta.name ?? '') + (delta.argumentsDelta ?? '');
          const parts = toolCalls.get(delta.index) ?? { id: '', name: '', argumentsJson: '' };
          if (delta.id) parts.id = delta.id;
          // OpenAI sends the name once; some servers repeat it in every piece.
          if (delta.name && parts.name !== delta.name) parts.name += delta.name;
          if (delta.argumentsDelta) parts.argumentsJson += delta.argumentsDelta;
          toolCalls.set(delta.index, parts);
          break;
        }
        case 'usage':
          usage = { inputTokens: delta.inputTokens, outputTokens: delta.outputTokens, costUsd: delta.costUsd, estimated: false };
          break;
        case 'finish':
          finishReason = delta.reason;
          break;
        case 'retry':
          if (delta.discardPartial) {
            detector = new ActionStreamDetector(format, thinking);
            toolCalls = new Map();
            finishReason = undefined;
            received = '';
            listener.reset();
          }
          listener.retrying(delta);
          break;
      }
    }
  } catch (error) {
    return { kind: 'failed', error, partialProse: detector.prose, usage: usageOrEstimate() };
  }

  if (!stoppedAfterAction) {
    const rest = detector.finish(finishReason === 'length' || finishReason === 'contentFilter');
    if (rest) listener.prose(rest);
  }
  const calls = [...toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, parts]) => ({ id: parts.id || `call_${randomUUID()}`, name: parts.name, argumentsJson: parts.argumentsJson }));
  return {
    kind: 'complete',
    reply: {
      text: detector.text,
      thinking: detector.thinking,
      thoughtOpenedInPrompt: detector.thoughtOpenedInPrompt,
      reasoningApart,
      toolCalls: calls,
      finishReason: stoppedAfterAction ? 'stop' : (finishReason ?? 'unknown'),
      usage: usageOrEstimate(),
    },
  };
}
