/**
 * A ChatModel for any OpenAI-compatible server (OpenAI, Azure, Ollama, vLLM, LM Studio,
 * llama.cpp, OpenRouter) through the `openai` package, streaming chat completions.
 *
 * The client's own retries are off (maxRetries: 0): this class retries itself so that each retry
 * is visible to the user (a 'retry' delta), honours Retry-After, is capped in count and total
 * wait, and stops the moment the turn's AbortSignal fires.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { abortableSleep, AbortedError } from '../shared/abort';
import { type ChatDelta, type ChatModel, type ChatRequest, type FinishReason, ModelError } from './chatModel';
import { type ImagePolicy, shouldSendImages } from './modelCapabilities';
import {
  describeModelFailure,
  failureFromHttp,
  failureFromNetworkCodes,
  hostOf,
  type ModelFailure,
  networkCodesOf,
  parseRetryAfterMs,
  retryReason,
} from './modelFailure';
import { toOpenAIMessages, toOpenAITools } from './openaiMessages';
import { costUsd } from './pricing';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retryPolicy';

export interface OpenAIChatModelOptions {
  readonly baseURL: string;
  /** Undefined for servers that need no key (no Authorization header is sent). */
  readonly apiKey: string | undefined;
  readonly model: string;
  readonly sendImages?: ImagePolicy;
  readonly retryPolicy?: RetryPolicy;
  /** Milliseconds to wait for the response headers of one attempt (default 120 s). */
  readonly requestTimeoutMs?: number;
  /** Report a cost for usage (default: only for api.openai.com, whose prices we know). */
  readonly reportCost?: boolean;
  readonly temperature?: number;
  /** Jitter source for backoff; tests pass a constant. */
  readonly random?: () => number;
}

/** Request parameters a server may reject as unsupported; dropped and retried once. */
type OptionalParameter = 'stop' | 'stream_options' | 'parallel_tool_calls';

type AttemptOutcome =
  | { readonly kind: 'complete' }
  /** The server rejected an optional parameter; send again without it (not a retry). */
  | { readonly kind: 'resend' }
  | { readonly kind: 'failed'; readonly failure: ModelFailure; readonly streamedContent: boolean };

export class OpenAIChatModel implements ChatModel {
  readonly modelId: string;
  readonly supportsStopSequences = true;
  readonly supportsTools = true;
  private readonly client: OpenAI;
  private readonly policy: RetryPolicy;
  private readonly sendImages: boolean;
  private readonly reportCost: boolean;
  /** Parameters this server rejected once; never sent to it again. */
  private readonly rejectedParameters = new Set<OptionalParameter>();

  constructor(private readonly options: OpenAIChatModelOptions) {
    this.modelId = options.model;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.sendImages = shouldSendImages(options.sendImages ?? 'auto', options.model);
    this.reportCost = options.reportCost ?? hostOf(options.baseURL) === 'api.openai.com';
    this.client = new OpenAI({
      baseURL: options.baseURL,
      // The client insists on a key; for keyless servers a null Authorization header removes it.
      apiKey: options.apiKey ?? 'no-key',
      ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      maxRetries: 0,
      timeout: options.requestTimeoutMs ?? 120_000,
    });
  }

  costUsd(inputTokens: number, outputTokens: number): number | undefined {
    return this.reportCost ? costUsd(this.modelId, inputTokens, outputTokens) : undefined;
  }

  async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatDelta> {
    let retries = 0;
    let waitedMs = 0;
    for (;;) {
      const outcome = yield* this.attempt(request, signal);
      if (outcome.kind === 'complete') return;
      if (outcome.kind === 'resend') continue;
      const { failure } = outcome;
      const delayMs = retryDelayMs(failure, retries, waitedMs, this.policy, this.options.random);
      if (delayMs === undefined) {
        throw new ModelError(failure, describeModelFailure(failure, { baseURL: this.options.baseURL, model: this.modelId }, retries));
      }
      retries += 1;
      waitedMs += delayMs;
      yield {
        type: 'retry',
        attempt: retries,
        maxRetries: this.policy.maxRetries,
        delayMs,
        reason: retryReason(failure),
        discardPartial: outcome.streamedContent,
      };
      try {
        await abortableSleep(delayMs, signal);
      } catch {
        throw abortedModelError();
      }
    }
  }

  /** One HTTP request: streams its deltas, and returns how it ended instead of throwing. */
  private async *attempt(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatDelta, AttemptOutcome> {
    if (signal.aborted) throw abortedModelError();
    const attempt = new AbortController();
    const onAbort = (): void => attempt.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let streamedContent = false;
    try {
      const stream = await this.client.chat.completions.create(this.parameters(request), { signal: attempt.signal });
      let finished = false;
      for await (const chunk of stream) {
        for (const delta of deltasOf(chunk, this.modelId, this.reportCost)) {
          if (delta.type === 'text' || delta.type === 'toolCall') streamedContent = true;
          if (delta.type === 'finish') finished = true;
          yield delta;
        }
      }
      // The openai stream ends quietly (no throw) when its request is aborted.
      if (signal.aborted) throw abortedModelError();
      if (!finished) yield { type: 'finish', reason: 'unknown' };
      return { kind: 'complete' };
    } catch (error) {
      if (signal.aborted) throw abortedModelError();
      if (error instanceof ModelError) throw error;
      const rejected = streamedContent ? undefined : rejectedParameter(error);
      if (rejected && !this.rejectedParameters.has(rejected)) {
        this.rejectedParameters.add(rejected);
        return { kind: 'resend' };
      }
      return { kind: 'failed', failure: classifyOpenAIError(error), streamedContent };
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Ends the HTTP request when the consumer stops iterating early; harmless once complete.
      attempt.abort();
    }
  }

  /** The model ids the server lists (GET /models), for a model picker. */
  async listModels(signal: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of this.client.models.list({ signal })) ids.push(model.id);
      return ids.sort();
    } catch (error) {
      if (signal.aborted) throw abortedModelError();
      const failure = classifyOpenAIError(error);
      throw new ModelError(failure, describeModelFailure(failure, { baseURL: this.options.baseURL, model: this.modelId }));
    }
  }

  private parameters(request: ChatRequest): ChatCompletionCreateParamsStreaming {
    const stop = request.stop && request.stop.length > 0 && !this.rejectedParameters.has('stop') ? [...request.stop] : undefined;
    const tools = request.tools && request.tools.length > 0 ? toOpenAITools(request.tools) : undefined;
    return {
      model: this.options.model,
      messages: toOpenAIMessages(request.messages, this.sendImages),
      stream: true,
      ...(this.rejectedParameters.has('stream_options') ? {} : { stream_options: { include_usage: true } }),
      ...(stop ? { stop } : {}),
      // Reasoning models (o1, o3, o4-mini) reject parallel_tool_calls: then it is left out.
      ...(tools ? { tools, tool_choice: 'auto' as const, ...(this.rejectedParameters.has('parallel_tool_calls') ? {} : { parallel_tool_calls: false }) } : {}),
      ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
    };
  }
}

function abortedModelError(): ModelError {
  return new ModelError({ kind: 'aborted' }, 'Stopped.');
}

/** The deltas one streamed chunk carries. */
export function deltasOf(chunk: ChatCompletionChunk, model: string, reportCost: boolean): ChatDelta[] {
  const deltas: ChatDelta[] = [];
  for (const choice of chunk.choices ?? []) {
    if (choice.index !== undefined && choice.index !== 0) continue;
    const content = choice.delta?.content;
    // Servers that split a reasoning model's thought out of the content send it apart:
    // `reasoning_content` (vLLM, LM Studio, DeepSeek) or `reasoning` (OpenRouter, Ollama).
    const apart = choice.delta as { reasoning_content?: unknown; reasoning?: unknown } | undefined;
    if ((typeof apart?.reasoning_content === 'string' && apart.reasoning_content !== '') || (typeof apart?.reasoning === 'string' && apart.reasoning !== '')) {
      deltas.push({ type: 'reasoning' });
    }
    if (typeof content === 'string' && content.length > 0) deltas.push({ type: 'text', text: content });
    for (const call of choice.delta?.tool_calls ?? []) {
      deltas.push({
        type: 'toolCall',
        index: call.index,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        ...(call.function?.arguments ? { argumentsDelta: call.function.arguments } : {}),
      });
    }
    if (choice.finish_reason) deltas.push({ type: 'finish', reason: finishReasonOf(choice.finish_reason) });
  }
  if (chunk.usage) {
    const inputTokens = chunk.usage.prompt_tokens ?? 0;
    const outputTokens = chunk.usage.completion_tokens ?? 0;
    deltas.push({ type: 'usage', inputTokens, outputTokens, costUsd: reportCost ? costUsd(model, inputTokens, outputTokens) : undefined });
  }
  return deltas;
}

function finishReasonOf(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'toolCalls';
    case 'content_filter':
      return 'contentFilter';
    default:
      return 'unknown';
  }
}

/** Turns whatever the openai client threw into a ModelFailure. */
export function classifyOpenAIError(error: unknown): ModelFailure {
  if (error instanceof APIUserAbortError || error instanceof AbortedError) return { kind: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: unknown }).cause;
    return failureFromNetworkCodes(networkCodesOf(cause), cause instanceof Error ? cause.message : error.message);
  }
  if (error instanceof APIError) {
    const body = error.error as { message?: unknown; code?: unknown } | undefined;
    const serverMessage = typeof body?.message === 'string' ? body.message : undefined;
    const code = typeof body?.code === 'string' ? body.code : undefined;
    const status: unknown = error.status;
    if (typeof status !== 'number') {
      // An error event inside an otherwise successful stream.
      return { kind: 'unknown', ...(serverMessage ? { serverMessage } : {}) };
    }
    // Typed loosely: `Headers` is a DOM type this layer does not compile against.
    const headers = error.headers as { get(name: string): string | null } | undefined;
    const retryAfterMs = parseRetryAfterMs(headers?.get('retry-after-ms'), headers?.get('retry-after'), Date.now());
    return failureFromHttp(status, serverMessage, code, retryAfterMs);
  }
  if (error instanceof Error) {
    // A raw fetch error, e.g. "terminated" when the connection drops mid-stream.
    return failureFromNetworkCodes(networkCodesOf(error), `${error.message} ${causeMessage(error)}`.trim());
  }
  return { kind: 'unknown', serverMessage: String(error) };
}

function causeMessage(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : '';
}

/** A 400 that names a parameter this server does not support, which we can drop and resend. */
function rejectedParameter(error: unknown): OptionalParameter | undefined {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return undefined;
  const param = typeof error.param === 'string' ? error.param : '';
  const text = `${param} ${error.message}`;
  if (param === 'stop' || /unsupported parameter:? '?stop'?|'stop' is not supported|stop sequences? (are|is) not supported/i.test(text)) return 'stop';
  if (param === 'stream_options' || /stream_options/i.test(text)) return 'stream_options';
  if (param === 'parallel_tool_calls' || /parallel_tool_calls/i.test(text)) return 'parallel_tool_calls';
  return undefined;
}
