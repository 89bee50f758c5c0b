/**
 * The contract every model provider implements (OpenAI-compatible HTTP, VS Code's Language Model
 * API, test doubles). The agent depends only on this file, never on a provider, so the CodeAct
 * loop can run against any of them. No `vscode` import here.
 */
import type { ModelFailure } from './modelFailure';

/** An image sent with a message; `description` stands in for it when a model cannot see images. */
export interface ModelImage {
  readonly mimeType: string;
  readonly dataBase64: string;
  readonly description: string;
}

/** A tool call as the model made it (arguments kept as the raw JSON text it produced). */
export interface ModelToolCall {
  readonly id: string;
  readonly name: string;
  readonly argumentsJson: string;
}

export type ModelMessage =
  | { readonly role: 'system'; readonly text: string }
  | { readonly role: 'user'; readonly text: string; readonly images?: readonly ModelImage[] }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls?: readonly ModelToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly text: string; readonly images?: readonly ModelImage[] };

/** A function tool offered to the model (JSON Schema parameters). */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface ChatRequest {
  readonly messages: readonly ModelMessage[];
  /** Stop sequences; providers that cannot honour them ignore them (the agent stops streams itself too). */
  readonly stop?: readonly string[];
  readonly tools?: readonly ToolDefinition[];
}

/** Why the model stopped. 'unknown' when the provider did not say. */
export type FinishReason = 'stop' | 'length' | 'toolCalls' | 'contentFilter' | 'unknown';

/** One piece of a streamed reply. */
export type ChatDelta =
  | { readonly type: 'text'; readonly text: string }
  /** The model reasons out of band (`reasoning_content`): the text itself carries no thought. */
  | { readonly type: 'reasoning' }
  /** A piece of tool call `index`: the first piece carries id and name, later ones argument text. */
  | {
      readonly type: 'toolCall';
      readonly index: number;
      readonly id?: string;
      readonly name?: string;
      readonly argumentsDelta?: string;
    }
  /** Tokens of this reply, when the provider reports them; cost when the price is known. */
  | { readonly type: 'usage'; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number | undefined }
  | { readonly type: 'finish'; readonly reason: FinishReason }
  /**
   * The request failed and will be retried after `delayMs`. When `discardPartial` is true, text and
   * tool calls already streamed belong to the failed attempt and must be thrown away.
   */
  | {
      readonly type: 'retry';
      readonly attempt: number;
      readonly maxRetries: number;
      readonly delayMs: number;
      readonly reason: string;
      readonly discardPartial: boolean;
    };

/** A chat model that streams replies. Implementations throw {@link ModelError} for failures. */
export interface ChatModel {
  /** The model's name: shown to the user, and used for context-window and image defaults. */
  readonly modelId: string;
  /** Whether `stop` sequences reach the model; when false the agent relies on its own detector. */
  readonly supportsStopSequences: boolean;
  /** Whether `tools` can be passed (the 'tools' action format needs it). */
  readonly supportsTools: boolean;
  /**
   * Streams one reply. Aborting `signal` ends the request at once and the iteration throws a
   * ModelError of kind 'aborted'. Breaking out of the iteration also ends the request.
   */
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatDelta>;
  /**
   * What a reply of this size costs in US dollars at this provider, when its price is known
   * (else undefined). Used to price usage the agent had to estimate.
   */
  costUsd(inputTokens: number, outputTokens: number): number | undefined;
}

/** A failed model request, with a message written for the user. */
export class ModelError extends Error {
  constructor(
    readonly failure: ModelFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
