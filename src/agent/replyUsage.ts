/**
 * Tokens and cost of model replies: as the provider reported them, or estimated when it did not.
 *
 * OpenAI-compatible servers report usage in the stream's last chunk. The agent often never reads
 * it: it leaves the stream as soon as the first action is complete (a closed ```python fence has
 * no stop sequence; some servers ignore `stop`), and some providers report nothing at all. Those
 * replies are most of a task's cost, since every request sends the whole history again, so a
 * missing report is estimated (the same four-characters-per-token estimate that budgets the
 * context window) and marked as such rather than counted as zero. Pure.
 */
import type { ChatModel, ChatRequest } from '../llm/chatModel';
import { estimateMessageTokens, estimateTokens } from './contextBudget';

export interface ReplyUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number | undefined;
  /** True when the numbers are our estimate, not the provider's report (for a sum: any part). */
  readonly estimated: boolean;
}

export const NO_USAGE: ReplyUsage = { inputTokens: 0, outputTokens: 0, costUsd: undefined, estimated: false };

/** The tokens a request sends: its messages and its tool definitions. */
export function estimateRequestTokens(request: ChatRequest): number {
  const messages = request.messages.reduce((sum, message) => sum + estimateMessageTokens(message), 0);
  const tools = (request.tools ?? []).reduce((sum, tool) => sum + estimateTokens(JSON.stringify(tool)), 0);
  return messages + tools;
}

/**
 * The estimated usage of a reply of which `output` was received (its text, thinking included,
 * and its tool calls): the whole request counts as input, since the server read all of it.
 */
export function estimateReplyUsage(model: ChatModel, request: ChatRequest, output: string): ReplyUsage {
  const inputTokens = estimateRequestTokens(request);
  const outputTokens = estimateTokens(output);
  return { inputTokens, outputTokens, costUsd: model.costUsd(inputTokens, outputTokens), estimated: true };
}

/** Two usages added up; the cost stays unknown only while no part has one. */
export function addUsage(total: ReplyUsage, more: ReplyUsage): ReplyUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    costUsd: total.costUsd === undefined && more.costUsd === undefined ? undefined : (total.costUsd ?? 0) + (more.costUsd ?? 0),
    estimated: total.estimated || more.estimated,
  };
}
