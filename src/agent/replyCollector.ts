/**
 * Streams one model reply: hands prose to the UI as it becomes safe to show, stops the stream
 * as soon as the first action is complete, assembles tool calls from their deltas, and starts
 * over when the provider retries after text had already streamed.
 *
 * Failures come back as data with the prose streamed so far (the turn keeps it when the user
 * pressed Stop mid-reply), never as a throw.
 */
import { randomUUID } from 'node:crypto';
import type { ChatDelta, ChatModel, ChatRequest, FinishReason, ModelToolCall } from '../llm/chatModel';
import { ActionStreamDetector } from './actionParser';
import type { ActionFormat } from './replyScanner';

export interface ReplyUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number | undefined;
}

export interface CollectedReply {
  readonly text: string;
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
  /** The provider retried after text had streamed: forget the prose shown so far. */
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
): Promise<ReplyOutcome> {
  let detector = new ActionStreamDetector(format);
  let toolCalls = new Map<number, ToolCallParts>();
  let finishReason: FinishReason | undefined;
  let usage: ReplyUsage | undefined;
  let stoppedAfterAction = false;

  try {
    stream: for await (const delta of model.stream(request, signal)) {
      switch (delta.type) {
        case 'text': {
          const progress = detector.push(delta.text);
          if (progress.proseDelta) listener.prose(progress.proseDelta);
          if (progress.actionComplete) {
            // One action per reply: leaving the loop ends the HTTP request.
            stoppedAfterAction = true;
            break stream;
          }
          break;
        }
        case 'toolCall': {
          const parts = toolCalls.get(delta.index) ?? { id: '', name: '', argumentsJson: '' };
          if (delta.id) parts.id = delta.id;
          // OpenAI sends the name once; some servers repeat it in every piece.
          if (delta.name && parts.name !== delta.name) parts.name += delta.name;
          if (delta.argumentsDelta) parts.argumentsJson += delta.argumentsDelta;
          toolCalls.set(delta.index, parts);
          break;
        }
        case 'usage':
          usage = { inputTokens: delta.inputTokens, outputTokens: delta.outputTokens, costUsd: delta.costUsd };
          break;
        case 'finish':
          finishReason = delta.reason;
          break;
        case 'retry':
          if (delta.discardPartial) {
            detector = new ActionStreamDetector(format);
            toolCalls = new Map();
            finishReason = undefined;
            listener.reset();
          }
          listener.retrying(delta);
          break;
      }
    }
  } catch (error) {
    return { kind: 'failed', error, partialProse: detector.prose, usage };
  }

  if (!stoppedAfterAction) {
    const rest = detector.finish();
    if (rest) listener.prose(rest);
  }
  const calls = [...toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, parts]) => ({ id: parts.id || `call_${randomUUID()}`, name: parts.name, argumentsJson: parts.argumentsJson }));
  return {
    kind: 'complete',
    reply: { text: detector.text, toolCalls: calls, finishReason: stoppedAfterAction ? 'stop' : (finishReason ?? 'unknown'), usage },
  };
}
