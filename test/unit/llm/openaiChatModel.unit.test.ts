/**
 * OpenAIChatModel with the real `openai` client over real HTTP, against the scripted model
 * server: streaming, usage and cost, retries (Retry-After honoured, dropped streams), the
 * messages users read for 401/404/unreachable, and Stop ending the request at once.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { type ChatDelta, type ChatRequest, ModelError } from '../../../src/llm/chatModel';
import { OpenAIChatModel, type OpenAIChatModelOptions } from '../../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../../src/llm/retryPolicy';
import { messageText, reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';

const FAST_RETRIES = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 20, maxDelayMs: 100 };
const hello: ChatRequest = { messages: [{ role: 'system', text: 'S' }, { role: 'user', text: 'hello' }] };

async function collect(model: OpenAIChatModel, request: ChatRequest = hello, signal = new AbortController().signal): Promise<ChatDelta[]> {
  const deltas: ChatDelta[] = [];
  for await (const delta of model.stream(request, signal)) deltas.push(delta);
  return deltas;
}

function textOf(deltas: readonly ChatDelta[]): string {
  return deltas.map((d) => (d.type === 'text' ? d.text : '')).join('');
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAIChatModel over HTTP (scripted server)', function () {
  this.timeout(20_000);
  let server: ScriptedModelServer;

  beforeEach(async () => {
    server = await startScriptedModelServer([], { expectedApiKey: 'sk-test-key-123456' });
  });
  afterEach(async () => {
    await server.close();
  });

  function model(options: Partial<OpenAIChatModelOptions> = {}): OpenAIChatModel {
    return new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: 'sk-test-key-123456', model: 'gpt-4o-mini', retryPolicy: FAST_RETRIES, random: () => 0.5, ...options });
  }

  it('streams text, then usage with a cost, then the finish reason', async () => {
    server.enqueue(reply.text('Hello there, how can I help?', { chunkSize: 5, usage: { promptTokens: 1000, completionTokens: 500 } }));
    const deltas = await collect(model({ reportCost: true }));
    assert.equal(textOf(deltas), 'Hello there, how can I help?');
    assert.ok(deltas.filter((d) => d.type === 'text').length >= 5, 'arrives in pieces');
    const usage = deltas.find((d) => d.type === 'usage');
    assert.deepEqual(usage, { type: 'usage', inputTokens: 1000, outputTokens: 500, costUsd: (1000 * 0.15 + 500 * 0.6) / 1e6 });
    assert.deepEqual(deltas.find((d) => d.type === 'finish'), { type: 'finish', reason: 'stop' });
  });

  it('sends a streaming request with usage reporting, the model, the messages and the stop sequence', async () => {
    server.enqueue(reply.text('ok'));
    await collect(model(), { ...hello, stop: ['</execute>'] });
    const [body] = server.chatRequests();
    assert.equal(body?.model, 'gpt-4o-mini');
    assert.equal(body?.stream, true);
    assert.deepEqual(body?.stream_options, { include_usage: true });
    assert.deepEqual(body?.stop, ['</execute>']);
    assert.deepEqual(body?.messages.map((m) => [m.role, messageText(m)]), [['system', 'S'], ['user', 'hello']]);
    assert.equal(server.requests[0]?.authorizationMatched, true);
  });

  it('reports no cost for a model without a known price, or by default for a non-OpenAI host', async () => {
    server.enqueue(reply.text('a', { usage: { promptTokens: 10, completionTokens: 2 } }), reply.text('b', { usage: { promptTokens: 10, completionTokens: 2 } }));
    const unknown = await collect(model({ model: 'llama3.1', reportCost: true }));
    assert.deepEqual(unknown.find((d) => d.type === 'usage'), { type: 'usage', inputTokens: 10, outputTokens: 2, costUsd: undefined });
    const local = await collect(model());
    assert.equal((local.find((d) => d.type === 'usage') as { costUsd: unknown }).costUsd, undefined);
  });

  it('the server cuts the reply at the stop sequence, like a real one', async () => {
    server.enqueue(reply.text('Run it.\n<execute>\nprint(1)\n</execute>\nObservation: 1'));
    const deltas = await collect(model(), { ...hello, stop: ['</execute>'] });
    assert.equal(textOf(deltas), 'Run it.\n<execute>\nprint(1)\n');
    assert.deepEqual(deltas.find((d) => d.type === 'finish'), { type: 'finish', reason: 'stop' });
  });

  it('sends no Authorization header when there is no key', async () => {
    const open = await startScriptedModelServer([reply.text('hi')]);
    try {
      const keyless = new OpenAIChatModel({ baseURL: open.baseUrl, apiKey: undefined, model: 'llama3.1' });
      assert.equal(textOf(await collect(keyless)), 'hi');
      assert.equal(open.requests[0]?.hadAuthorization, false);
    } finally {
      await open.close();
    }
  });

  it('streams tool calls in pieces', async () => {
    server.enqueue(reply.toolCall('print("hi")', { id: 'call_abc', chunkSize: 4 }));
    const deltas = await collect(model(), { ...hello, tools: [{ name: 'execute_python', description: 'd', parameters: { type: 'object' } }] });
    const calls = deltas.filter((d): d is Extract<ChatDelta, { type: 'toolCall' }> => d.type === 'toolCall');
    assert.equal(calls[0]?.id, 'call_abc');
    assert.equal(calls[0]?.name, 'execute_python');
    assert.equal(calls.map((c) => c.argumentsDelta ?? '').join(''), JSON.stringify({ code: 'print("hi")' }));
    assert.deepEqual(deltas.find((d) => d.type === 'finish'), { type: 'finish', reason: 'toolCalls' });
    const body = server.chatRequests()[0];
    assert.equal(body?.tools?.[0]?.function.name, 'execute_python');
  });

  it('retries a 429 after the time its Retry-After asks for', async () => {
    server.enqueue(reply.rateLimited(1), reply.text('after the wait'));
    const deltas = await collect(model());
    assert.equal(textOf(deltas), 'after the wait');
    const retry = deltas.find((d) => d.type === 'retry');
    assert.deepEqual(retry, { type: 'retry', attempt: 1, maxRetries: 4, delayMs: 1000, reason: 'rate limited (429)', discardPartial: false });
    const [first, second] = server.requests;
    assert.ok(first && second);
    assert.ok(second.receivedAt - first.receivedAt >= 950, `waited ${second.receivedAt - first.receivedAt} ms`);
  });

  it('retries 5xx with backoff, and says how many retries it made when it gives up', async () => {
    server.enqueue(reply.serverError(503), reply.serverError(500), reply.text('third time lucky'));
    assert.equal(textOf(await collect(model())), 'third time lucky');

    server.enqueue(...Array.from({ length: 5 }, () => reply.serverError(502)));
    const error = await failure(collect(model()));
    assert.equal(error.failure.kind, 'server');
    assert.match(error.message, /failed with HTTP 502 \(after 4 retries\)/);
    assert.equal(server.requests.length, 3 + 5);
  });

  it('starts over when the connection drops mid-reply, telling the consumer to discard the partial text', async () => {
    server.enqueue(reply.cut('Half a repl', { chunkSize: 3 }), reply.text('A whole reply.'));
    const deltas = await collect(model());
    const retryAt = deltas.findIndex((d) => d.type === 'retry');
    assert.ok(retryAt > 0);
    assert.equal(textOf(deltas.slice(0, retryAt)), 'Half a repl');
    assert.equal((deltas[retryAt] as { discardPartial: boolean }).discardPartial, true);
    assert.equal((deltas[retryAt] as { reason: string }).reason, 'the connection dropped');
    assert.equal(textOf(deltas.slice(retryAt)), 'A whole reply.');
  });

  it('reports a connection that keeps dropping clearly', async () => {
    server.enqueue(...Array.from({ length: 5 }, () => reply.cut('x')));
    const error = await failure(collect(model()));
    assert.equal(error.failure.kind, 'connectionLost');
    assert.match(error.message, /connection to 127\.0\.0\.1:\d+ dropped before the reply was complete \(after 4 retries\)/);
  });

  it('401: the key was rejected, without retrying', async () => {
    const error = await failure(collect(model({ apiKey: 'sk-wrong-key-000000' })));
    assert.equal(error.failure.kind, 'auth');
    assert.match(error.message, /^The API key was rejected by 127\.0\.0\.1:\d+ \(401: Incorrect API key provided\.\)/);
    assert.equal(server.requests.length, 1);
  });

  it('404: the server has no such model', async () => {
    server.enqueue(reply.modelNotFound('gpt-9'));
    const error = await failure(collect(model({ model: 'gpt-9' })));
    assert.equal(error.failure.kind, 'modelNotFound');
    assert.match(error.message, /^The server at http:\/\/127\.0\.0\.1:\d+\/v1 has no model "gpt-9" \(404: The model `gpt-9` does not exist/);
  });

  it('an unreachable server: "Cannot reach … — is the server running?", at once', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const started = Date.now();
    const error = await failure(collect(new OpenAIChatModel({ baseURL: url, apiKey: 'k', model: 'm', retryPolicy: FAST_RETRIES })));
    assert.equal(error.failure.kind, 'unreachable');
    assert.equal(error.message, `Cannot reach ${url} — is the server running? (ECONNREFUSED)`);
    assert.ok(Date.now() - started < 2_000);
  });

  it('drops a stop parameter the server rejects, and sends the request again', async () => {
    server.enqueue({ type: 'httpError', status: 400, message: "Unsupported parameter: 'stop' is not supported with this model.", param: 'stop' }, reply.text('fine'));
    const chat = model();
    assert.equal(textOf(await collect(chat, { ...hello, stop: ['</execute>'] })), 'fine');
    const [first, second] = server.chatRequests();
    assert.deepEqual(first?.stop, ['</execute>']);
    assert.equal(second?.stop, undefined);
    server.enqueue(reply.text('again'));
    await collect(chat, { ...hello, stop: ['</execute>'] });
    assert.equal(server.chatRequests()[2]?.stop, undefined, 'remembered for this server');
  });

  it('drops parallel_tool_calls when a reasoning model rejects it, and keeps the tools', async () => {
    server.enqueue(
      { type: 'httpError', status: 400, message: "Unsupported parameter: 'parallel_tool_calls' is not supported with this model.", param: 'parallel_tool_calls' },
      reply.text('fine'),
    );
    const chat = model();
    const tool = { name: 'execute_python', description: 'Run Python', parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } };
    assert.equal(textOf(await collect(chat, { ...hello, tools: [tool] })), 'fine');
    const [first, second] = server.chatRequests();
    assert.equal(first?.parallel_tool_calls, false);
    assert.equal(second?.parallel_tool_calls, undefined);
    assert.equal(second?.tools?.length, 1, 'the tools are still offered');
  });

  it('Stop during a stream ends the HTTP request at once', async () => {
    server.enqueue(reply.text('slow '.repeat(100), { chunkSize: 5, delayMs: 50 }));
    const controller = new AbortController();
    const deltas: ChatDelta[] = [];
    const started = Date.now();
    const error = await failure(
      (async () => {
        for await (const delta of model().stream(hello, controller.signal)) {
          deltas.push(delta);
          if (deltas.length === 3) controller.abort();
        }
      })(),
    );
    assert.equal(error.failure.kind, 'aborted');
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.requests[0]?.clientDisconnected, true);
  });

  it('Stop during a retry wait ends it at once', async () => {
    server.enqueue(reply.rateLimited(30), reply.text('never'));
    const controller = new AbortController();
    const started = Date.now();
    const error = await failure(
      (async () => {
        for await (const delta of model({ retryPolicy: { ...FAST_RETRIES, maxRetryAfterMs: 60_000 } }).stream(hello, controller.signal)) {
          if (delta.type === 'retry') setTimeout(() => controller.abort(), 50);
        }
      })(),
    );
    assert.equal(error.failure.kind, 'aborted');
    assert.ok(Date.now() - started < 2_000);
    assert.equal(server.requests.length, 1);
  });

  it('leaving the iteration early ends the HTTP request', async () => {
    server.enqueue(reply.text('word '.repeat(200), { chunkSize: 5, delayMs: 10 }));
    for await (const delta of model().stream(hello, new AbortController().signal)) {
      if (delta.type === 'text') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.requests[0]?.clientDisconnected, true);
  });

  it('sends images to a model that sees them, and descriptions to one that does not', async () => {
    const withImage: ChatRequest = {
      messages: [{ role: 'user', text: 'Observation:', images: [{ mimeType: 'image/png', dataBase64: 'iVBORw0KGgo=', description: 'a plot' }] }],
    };
    server.enqueue(reply.text('a'), reply.text('b'), reply.text('c'));
    await collect(model({ model: 'gpt-4o' }), withImage);
    await collect(model({ model: 'llama3.1' }), withImage);
    await collect(model({ model: 'llama3.1', sendImages: 'always' }), withImage);
    const [vision, text, forced] = server.chatRequests();
    assert.ok(Array.isArray(vision?.messages[0]?.content));
    assert.equal(text?.messages[0]?.content, 'Observation:\n[image (image/png): a plot]');
    assert.ok(Array.isArray(forced?.messages[0]?.content));
  });

  it('lists the models the server offers', async () => {
    const ids = await model().listModels(new AbortController().signal);
    assert.deepEqual(ids, ['scripted-model']);
  });
});
