/**
 * The scripted model server itself: it must behave like an OpenAI-compatible server, because
 * every model test (here and in VS Code) trusts it to. Raw HTTP, no client library.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The `data:` payloads of an SSE body. */
async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

describe('scripted model server', function () {
  this.timeout(20_000);
  let server: ScriptedModelServer;

  beforeEach(async () => {
    server = await startScriptedModelServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('answers a non-streaming completion in the OpenAI shape', async () => {
    server.enqueue(reply.text('Hello.', { usage: { promptTokens: 3, completionTokens: 2 } }));
    const response = await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const body = (await response.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { total_tokens: number } };
    assert.equal(body.choices[0]?.message.content, 'Hello.');
    assert.equal(body.choices[0]?.finish_reason, 'stop');
    assert.equal(body.usage.total_tokens, 5);
  });

  it('streams SSE chunks ending in [DONE], with usage only when asked', async () => {
    server.enqueue(reply.text('abcdef', { chunkSize: 2 }), reply.text('x'));
    const withUsage = await sseData(await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [], stream: true, stream_options: { include_usage: true } }));
    assert.equal(withUsage.at(-1), '[DONE]');
    const chunks = withUsage.slice(0, -1).map((d) => JSON.parse(d) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown });
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'abcdef');
    assert.equal(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length, 3);
    assert.ok(chunks.at(-1)?.usage);
    const withoutUsage = await sseData(await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [], stream: true }));
    assert.ok(withoutUsage.slice(0, -1).every((d) => !('usage' in (JSON.parse(d) as object))));
  });

  it('honours stop sequences, optionally including the sequence like some servers', async () => {
    server.enqueue(reply.text('a<execute>b</execute>c'), reply.text('a<execute>b</execute>c', { includeStopSequence: true }), reply.text('a</execute>', { honourStop: false }));
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [], stop: '</execute>' });
      texts.push(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '');
    }
    assert.deepEqual(texts, ['a<execute>b', 'a<execute>b</execute>', 'a</execute>']);
  });

  it('sends HTTP faults with OpenAI error bodies and Retry-After', async () => {
    server.enqueue(reply.rateLimited(2));
    const response = await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '2');
    assert.deepEqual(((await response.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
  });

  it('answers 400 when the script is exhausted (never a retryable 5xx)', async () => {
    const response = await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [] });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /no reply left/);
  });

  it('records requests without the key, only whether one was sent', async () => {
    server.enqueue(reply.text('ok'));
    await postJson(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer sk-secret-value-42' });
    const [recorded] = server.requests;
    assert.equal(recorded?.hadAuthorization, true);
    assert.equal(recorded?.headers['authorization'], undefined);
    assert.ok(!JSON.stringify(server.requests).includes('sk-secret-value-42'));
    assert.deepEqual(server.chatRequests()[0]?.messages, [{ role: 'user', content: 'hi' }]);
  });

  it('rejects a wrong key with a real 401 when a key is expected', async () => {
    const keyed = await startScriptedModelServer([reply.text('ok')], { expectedApiKey: 'right' });
    try {
      const wrong = await postJson(`${keyed.baseUrl}/chat/completions`, { messages: [] }, { authorization: 'Bearer wrong' });
      assert.equal(wrong.status, 401);
      const right = await postJson(`${keyed.baseUrl}/chat/completions`, { messages: [] }, { authorization: 'Bearer right' });
      assert.equal(right.status, 200);
      assert.deepEqual(keyed.requests.map((r) => r.authorizationMatched), [false, true]);
    } finally {
      await keyed.close();
    }
  });

  it('lists models', async () => {
    const body = (await (await fetch(`${server.baseUrl}/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(body.data.map((m) => m.id), ['scripted-model']);
  });
});

describe('scripted model server as its own process (for the in-VS-Code tests)', function () {
  this.timeout(20_000);
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  function entryPath(): string {
    // This test runs from out/test/unit/llm/; the entry is built to out/test/model/.
    let dir = __dirname;
    while (!existsSync(join(dir, 'model', 'scriptedModelServer.entry.js'))) {
      const parent = dirname(dir);
      assert.notEqual(parent, dir, 'scriptedModelServer.entry.js not built');
      dir = parent;
    }
    return join(dir, 'model', 'scriptedModelServer.entry.js');
  }

  it('prints its URL, takes scripts over /__script, and reports /__requests until /__reset', async () => {
    child = spawn(process.execPath, [entryPath(), '--port', '0', '--model', 'm1', '--model', 'm2'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve) => createInterface({ input: child?.stdout as NodeJS.ReadableStream }).once('line', resolve));
    const { url, baseUrl } = JSON.parse(firstLine) as { url: string; baseUrl: string };
    assert.equal(baseUrl, `${url}/v1`);

    const queued = await postJson(`${url}/__script`, [reply.text('from the script')]);
    assert.deepEqual(await queued.json(), { queued: 1 });
    const completion = await postJson(`${baseUrl}/chat/completions`, { model: 'm1', messages: [{ role: 'user', content: 'q' }] });
    assert.equal(((await completion.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'from the script');
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['m1', 'm2']);

    const requests = (await (await fetch(`${url}/__requests`)).json()) as { path: string }[];
    assert.deepEqual(requests.map((r) => r.path), ['/v1/chat/completions', '/v1/models']);
    await postJson(`${url}/__reset`, {});
    assert.deepEqual(await (await fetch(`${url}/__requests`)).json(), []);
    assert.equal((await postJson(`${url}/__script`, { nope: 1 })).status, 400);
  });

  it('exits when its stdin closes, with --exit-with-stdin', async () => {
    child = spawn(process.execPath, [entryPath(), '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<string>((resolve) => createInterface({ input: child?.stdout as NodeJS.ReadableStream }).once('line', resolve));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.stdin?.end();
    assert.equal(await exited, 0);
  });
});
