/**
 * The script language of the scripted model server: what the model "says" next (a reply, an
 * HTTP fault, a dropped connection), and the shapes of what the server records.
 */

/** A tool call the scripted model makes. `arguments` is sent verbatim when it is a string. */
export interface ScriptedToolCall {
  readonly id?: string;
  readonly name?: string;
  readonly arguments: string | Readonly<Record<string, unknown>>;
}

/** A normal reply: text and/or tool calls, streamed in chunks. */
export interface ScriptedCompletion {
  readonly type: 'completion';
  readonly text?: string;
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Reasoning streamed before the content as `reasoning_content` (LM Studio, vLLM, DeepSeek). */
  readonly reasoning?: string;
  /** Characters per streamed content chunk (default 12). Ignored when `chunks` is given. */
  readonly chunkSize?: number;
  /** Exact content chunks to stream (their concatenation replaces `text`). */
  readonly chunks?: readonly string[];
  /** Milliseconds to wait before each chunk: a slow stream. */
  readonly delayMs?: number;
  /** Usage to report; `null` reports none; omitted: estimated from characters / 4. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number } | null;
  /** Defaults to 'tool_calls' with tool calls, else 'stop'; 'stop' when a stop sequence cut the text. */
  readonly finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Like a real server, cut the text at the first requested stop sequence (default true). */
  readonly honourStop?: boolean;
  /** Some servers include the matched stop sequence in the text; set to mimic them. */
  readonly includeStopSequence?: boolean;
}

/** An HTTP error response, e.g. 429 with Retry-After, 500, 401, 404. */
export interface ScriptedHttpError {
  readonly type: 'httpError';
  readonly status: number;
  readonly message?: string;
  /** OpenAI error `code`, e.g. 'model_not_found', 'insufficient_quota'. */
  readonly code?: string;
  /** OpenAI error `param`: the request field at fault, e.g. 'stop'. */
  readonly param?: string;
  readonly retryAfter?: string;
}

/** Streams `text` (in chunks) and then destroys the socket: a connection dropped mid-reply. */
export interface ScriptedCut {
  readonly type: 'cut';
  readonly text: string;
  readonly chunkSize?: number;
  readonly delayMs?: number;
}

export type ScriptedReply = ScriptedCompletion | ScriptedHttpError | ScriptedCut;

/** Builders for the common replies, so scripts read like a conversation. */
export const reply = {
  text(text: string, options: Omit<ScriptedCompletion, 'type' | 'text'> = {}): ScriptedCompletion {
    return { type: 'completion', text, ...options };
  },
  toolCall(code: string, options: Omit<ScriptedCompletion, 'type' | 'toolCalls'> & { id?: string } = {}): ScriptedCompletion {
    const { id, ...rest } = options;
    return { type: 'completion', toolCalls: [{ id, name: 'execute_python', arguments: { code } }], ...rest };
  },
  rateLimited(retryAfterSeconds?: number): ScriptedHttpError {
    return {
      type: 'httpError',
      status: 429,
      message: 'Rate limit reached for requests',
      code: 'rate_limit_exceeded',
      ...(retryAfterSeconds === undefined ? {} : { retryAfter: String(retryAfterSeconds) }),
    };
  },
  serverError(status = 500): ScriptedHttpError {
    return { type: 'httpError', status, message: 'The server had an error while processing your request.' };
  },
  unauthorized(): ScriptedHttpError {
    return { type: 'httpError', status: 401, message: 'Incorrect API key provided.', code: 'invalid_api_key' };
  },
  modelNotFound(model: string): ScriptedHttpError {
    return { type: 'httpError', status: 404, message: `The model \`${model}\` does not exist or you do not have access to it.`, code: 'model_not_found' };
  },
  cut(text: string, options: Omit<ScriptedCut, 'type' | 'text'> = {}): ScriptedCut {
    return { type: 'cut', text, ...options };
  },
};

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased header names; authorization and api-key are left out. */
  readonly headers: Readonly<Record<string, string>>;
  readonly hadAuthorization: boolean;
  /** True when `expectedApiKey` was set and the request carried exactly that key. */
  readonly authorizationMatched: boolean | undefined;
  /** The parsed JSON body (undefined for GET). */
  readonly body: unknown;
  readonly receivedAt: number;
  /** Set when the client closed the connection before the response was complete (e.g. Stop). */
  readonly clientDisconnected: boolean;
}

/** The parts of a chat completion request body the tests look at. */
export interface ChatRequestBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly stop?: string | readonly string[];
  readonly tools?: readonly { readonly type: string; readonly function: { readonly name: string } }[];
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly parallel_tool_calls?: boolean;
  readonly messages: readonly ChatRequestMessage[];
}

export interface ChatRequestMessage {
  readonly role: string;
  readonly content?: string | readonly { readonly type: string; readonly text?: string; readonly image_url?: { readonly url: string } }[] | null;
  readonly tool_calls?: readonly { readonly id: string; readonly function: { readonly name: string; readonly arguments: string } }[];
  readonly tool_call_id?: string;
}

/** The text of a recorded message, joining text parts. */
export function messageText(message: ChatRequestMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => part.text ?? '').join('');
}
