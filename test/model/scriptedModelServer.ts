/**
 * A real HTTP server that speaks the OpenAI chat completions API and replays a script.
 *
 * Tests point the real `openai` client (or the extension, from another process) at it, so the
 * whole path is exercised: HTTP, SSE framing, tool-call deltas, stop sequences, usage, faults.
 * Each POST /v1/chat/completions consumes the next scripted reply. Every request is recorded
 * (the Authorization value is never kept, only whether one was sent) so tests can assert on
 * exactly what the model was shown.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatRequestBody, type RecordedRequest, type ScriptedHttpError, type ScriptedReply, messageText } from './scriptedReplies';

export * from './scriptedReplies';

export interface ScriptedModelServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Model ids listed by GET /v1/models. */
  readonly models?: readonly string[];
  /** When set, any other (or missing) bearer key gets a real 401. */
  readonly expectedApiKey?: string;
  /** Enables POST /__script, GET /__requests and POST /__reset for out-of-process tests. */
  readonly controlEndpoints?: boolean;
}

export interface ScriptedModelServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** `${url}/v1`, what an OpenAI client takes as its base URL. */
  readonly baseUrl: string;
  /** Chat and model requests received so far, oldest first (control requests are not recorded). */
  readonly requests: readonly RecordedRequest[];
  /** The chat completion requests only, with their bodies typed loosely for assertions. */
  chatRequests(): readonly ChatRequestBody[];
  enqueue(...replies: readonly ScriptedReply[]): void;
  setScript(replies: readonly ScriptedReply[]): void;
  /** Replies not yet consumed. */
  remaining(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (port 0 picks a free port). */
export async function startScriptedModelServer(
  script: readonly ScriptedReply[] = [],
  options: ScriptedModelServerOptions = {},
): Promise<ScriptedModelServer> {
  const queue: ScriptedReply[] = [...script];
  const requests: RecordedRequest[] = [];
  let completionCount = 0;
  const models = options.models ?? ['scripted-model'];

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `scripted server failed: ${String(error)}` } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';

    if (options.controlEndpoints && path.startsWith('/__')) {
      handleControl(method, path, rawBody, res);
      return;
    }

    const authorization = req.headers['authorization'];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'authorization' || name === 'api-key' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = parseJson(rawBody);
    const keyMatched = options.expectedApiKey === undefined ? undefined : authorization === `Bearer ${options.expectedApiKey}`;
    const record = {
      method,
      path,
      headers,
      hadAuthorization: typeof authorization === 'string' && authorization.length > 0,
      authorizationMatched: keyMatched,
      body,
      receivedAt: Date.now(),
      clientDisconnected: false,
    };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.clientDisconnected = true;
    });

    if (keyMatched === false) {
      sendError(res, { type: 'httpError', status: 401, message: 'Incorrect API key provided.', code: 'invalid_api_key' });
      return;
    }
    if (method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) });
      return;
    }
    if (method === 'POST' && path.endsWith('/chat/completions')) {
      // As strict servers do (Ollama, gateways to other APIs): earlier tool calls must carry
      // JSON arguments. Checked before the script moves on, so the reply is not used up.
      const invalid = invalidToolArguments(asChatBody(body));
      if (invalid !== undefined) {
        sendError(res, { type: 'httpError', status: 400, message: `invalid tool call arguments: ${invalid}` });
        return;
      }
      // Mistral's API and gateways to Anthropic's refuse an assistant message with neither
      // content nor tool calls.
      if (hasEmptyAssistantMessage(asChatBody(body))) {
        sendError(res, { type: 'httpError', status: 400, message: 'Assistant message must have either content or tool_calls, but not none.' });
        return;
      }
      const next = queue.shift();
      if (!next) {
        // 400, not 5xx: a client must not retry its way through an exhausted script.
        sendError(res, { type: 'httpError', status: 400, message: 'scripted model server: the script has no reply left' });
        return;
      }
      completionCount += 1;
      await serveCompletion(req, res, asChatBody(body), next, completionCount);
      return;
    }
    sendError(res, { type: 'httpError', status: 404, message: `scripted model server: no route for ${method} ${path}` });
  }

  function handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): void {
    if (method === 'POST' && path === '/__script') {
      const parsed = parseJson(rawBody);
      const replies = Array.isArray(parsed) ? parsed : (parsed as { replies?: unknown } | undefined)?.replies;
      if (!Array.isArray(replies)) {
        sendJson(res, 400, { error: 'expected a JSON array of replies or { replies: [...] }' });
        return;
      }
      queue.splice(0, queue.length, ...(replies as ScriptedReply[]));
      sendJson(res, 200, { queued: queue.length });
    } else if (method === 'GET' && path === '/__requests') {
      sendJson(res, 200, requests);
    } else if (method === 'POST' && path === '/__reset') {
      reset();
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, { error: `no control route ${method} ${path}` });
    }
  }

  function reset(): void {
    queue.length = 0;
    requests.length = 0;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    get requests() {
      return requests;
    },
    chatRequests: () =>
      requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions')).map((r) => asChatBody(r.body)),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setScript: (replies) => {
      queue.splice(0, queue.length, ...replies);
    },
    remaining: () => queue.length,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serveCompletion(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: ChatRequestBody,
  scripted: ScriptedReply,
  sequence: number,
): Promise<void> {
  if (scripted.type === 'httpError') {
    sendError(res, scripted);
    return;
  }
  const id = `chatcmpl-scripted-${sequence}`;
  const model = body.model ?? 'scripted-model';
  const stopSequences = body.stop === undefined ? [] : typeof body.stop === 'string' ? [body.stop] : [...body.stop];

  if (scripted.type === 'cut') {
    startStream(res);
    writeChunk(res, chunk(id, model, { role: 'assistant', content: '' }, null));
    for (const piece of splitText(scripted.text, scripted.chunkSize ?? 12)) {
      if (scripted.delayMs) await delay(scripted.delayMs);
      writeChunk(res, chunk(id, model, { content: piece }, null));
    }
    // Give the client a moment to read what was sent, then drop the connection without an end.
    await delay(20);
    res.socket?.destroy();
    return;
  }

  const fullText = scripted.chunks ? scripted.chunks.join('') : (scripted.text ?? '');
  const { text, stoppedAt } = applyStop(fullText, stopSequences, scripted.honourStop ?? true, scripted.includeStopSequence ?? false);
  const toolCalls = (scripted.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_scripted_${sequence}_${index}`,
    name: call.name ?? 'execute_python',
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  const finishReason =
    scripted.finishReason ?? (stoppedAt !== undefined ? 'stop' : toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const usage =
    scripted.usage === null
      ? undefined
      : {
          prompt_tokens: scripted.usage?.promptTokens ?? Math.ceil(JSON.stringify(body.messages ?? []).length / 4),
          completion_tokens:
            scripted.usage?.completionTokens ?? Math.ceil((text.length + toolCalls.reduce((n, c) => n + c.arguments.length, 0)) / 4),
        };
  const usageObject = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };

  if (!body.stream) {
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text.length > 0 || toolCalls.length === 0 ? text : null,
            ...(toolCalls.length > 0
              ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
              : {}),
          },
          finish_reason: finishReason,
        },
      ],
      ...(usageObject ? { usage: usageObject } : {}),
    });
    return;
  }

  let clientGone = false;
  req.socket.once('close', () => {
    clientGone = true;
  });
  startStream(res);
  writeChunk(res, chunk(id, model, { role: 'assistant', content: '' }, null));
  for (const piece of scripted.reasoning ? splitText(scripted.reasoning, scripted.chunkSize ?? 12) : []) {
    if (scripted.delayMs) await delay(scripted.delayMs);
    if (clientGone) return;
    writeChunk(res, chunk(id, model, { reasoning_content: piece }, null));
  }
  const pieces = scripted.chunks ? truncatePieces(scripted.chunks, text.length) : splitText(text, scripted.chunkSize ?? 12);
  for (const piece of pieces) {
    if (scripted.delayMs) await delay(scripted.delayMs);
    if (clientGone) return;
    writeChunk(res, chunk(id, model, { content: piece }, null));
  }
  for (const [index, call] of toolCalls.entries()) {
    if (scripted.delayMs) await delay(scripted.delayMs);
    if (clientGone) return;
    writeChunk(
      res,
      chunk(id, model, { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null),
    );
    for (const piece of splitText(call.arguments, scripted.chunkSize ?? 12)) {
      if (scripted.delayMs) await delay(scripted.delayMs);
      if (clientGone) return;
      writeChunk(res, chunk(id, model, { tool_calls: [{ index, function: { arguments: piece } }] }, null));
    }
  }
  if (clientGone) return;
  writeChunk(res, chunk(id, model, {}, finishReason));
  if (usageObject && body.stream_options?.include_usage) {
    writeChunk(res, { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [], usage: usageObject });
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Cuts `text` at the earliest stop sequence, as OpenAI-compatible servers do. */
function applyStop(
  text: string,
  stops: readonly string[],
  honour: boolean,
  includeSequence: boolean,
): { text: string; stoppedAt: number | undefined } {
  if (!honour) return { text, stoppedAt: undefined };
  let earliest: { index: number; sequence: string } | undefined;
  for (const sequence of stops) {
    if (!sequence) continue;
    const index = text.indexOf(sequence);
    if (index >= 0 && (!earliest || index < earliest.index)) earliest = { index, sequence };
  }
  if (!earliest) return { text, stoppedAt: undefined };
  const end = includeSequence ? earliest.index + earliest.sequence.length : earliest.index;
  return { text: text.slice(0, end), stoppedAt: earliest.index };
}

function truncatePieces(pieces: readonly string[], length: number): string[] {
  const result: string[] = [];
  let used = 0;
  for (const piece of pieces) {
    if (used >= length) break;
    result.push(piece.slice(0, length - used));
    used += piece.length;
  }
  return result;
}

function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, size)) pieces.push(text.slice(i, i + Math.max(1, size)));
  return pieces;
}

function chunk(id: string, model: string, delta: Record<string, unknown>, finishReason: string | null): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

function writeChunk(res: http.ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendError(res: http.ServerResponse, error: ScriptedHttpError): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  res.writeHead(error.status, headers);
  res.end(
    JSON.stringify({
      error: { message: error.message ?? `HTTP ${error.status}`, type: errorType(error.status), param: error.param ?? null, code: error.code ?? null },
    }),
  );
}

function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function asChatBody(body: unknown): ChatRequestBody {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { messages?: unknown }).messages)) {
    return body as ChatRequestBody;
  }
  return { messages: [] };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether the history holds an assistant message that says nothing and calls no tool. */
function hasEmptyAssistantMessage(body: ChatRequestBody): boolean {
  return (body.messages ?? []).some((m) => m.role === 'assistant' && messageText(m).trim() === '' && (m.tool_calls ?? []).length === 0);
}

/** The arguments of the first tool call in the history that are not a JSON object, if any. */
function invalidToolArguments(body: ChatRequestBody): string | undefined {
  for (const message of body.messages ?? []) {
    for (const call of message.tool_calls ?? []) {
      try {
        const parsed: unknown = JSON.parse(call.function.arguments);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return call.function.arguments.slice(0, 80);
      } catch {
        return call.function.arguments.slice(0, 80);
      }
    }
  }
  return undefined;
}
