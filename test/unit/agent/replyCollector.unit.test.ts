/**
 * collectReply against the real OpenAI client and the scripted server: think blocks kept out of
 * the prose and the text, and usage estimated when the provider's report is never read.
 */
import * as assert from 'node:assert/strict';
import { collectReply, type ReplyOutcome } from '../../../src/agent/replyCollector';
import type { ActionFormat } from '../../../src/agent/replyScanner';
import type { ThinkBlockOptions } from '../../../src/agent/thinkBlocks';
import { estimateRequestTokens } from '../../../src/agent/replyUsage';
import type { ChatRequest } from '../../../src/llm/chatModel';
import { OpenAIChatModel } from '../../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../../src/llm/retryPolicy';
import { reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';

const request: ChatRequest = { messages: [{ role: 'system', text: 'You run Python.' }, { role: 'user', text: 'What is 6 times 7?' }] };
const GPT_4O_MINI = { input: 0.15 / 1e6, output: 0.6 / 1e6 };

/** Waits (up to a second) for something the server notices asynchronously, like a closed socket. */
async function eventually(condition: () => boolean, message: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    assert.ok(waited < 1_000, message);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('collectReply (scripted model over HTTP)', function () {
  this.timeout(20_000);
  let server: ScriptedModelServer;

  beforeEach(async () => {
    server = await startScriptedModelServer();
  });
  afterEach(async () => {
    await server.close();
  });

  function model(): OpenAIChatModel {
    return new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: undefined, model: 'gpt-4o-mini', reportCost: true, retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 } });
  }

  async function collect(
    format: ActionFormat,
    chatRequest: ChatRequest = request,
    signal = new AbortController().signal,
    onProse?: () => void,
    thinking: ThinkBlockOptions = {},
  ): Promise<{ outcome: ReplyOutcome; prose: string; resets: number }> {
    let prose = '';
    let resets = 0;
    const listener = {
      prose: (delta: string): void => {
        prose += delta;
        onProse?.();
      },
      reset: (): void => {
        prose = '';
        resets++;
      },
      retrying: (): void => undefined,
    };
    const outcome = await collectReply(model(), chatRequest, format, signal, listener, thinking);
    return { outcome, prose, resets };
  }

  function complete(outcome: ReplyOutcome): Extract<ReplyOutcome, { kind: 'complete' }>['reply'] {
    assert.equal(outcome.kind, 'complete', JSON.stringify(outcome));
    return outcome.reply;
  }

  describe('usage', () => {
    it('estimates, and marks as estimated, the usage of a reply whose stream was left after its Python block', async () => {
      const first = 'Computing.\n```python\nprint(6 * 7)\n```\n';
      server.enqueue(reply.text('', { chunks: [first, 'This prints 42, and much more text that is never read.'], delayMs: 30, usage: { promptTokens: 999, completionTokens: 999 } }));
      const { outcome } = await collect('markdown');
      const collected = complete(outcome);
      await eventually(() => server.requests[0]?.clientDisconnected === true, 'the stream was left early, before the usage chunk');
      const inputTokens = estimateRequestTokens(request);
      const outputTokens = Math.ceil(first.length / 4);
      assert.ok(inputTokens > 0);
      assert.deepEqual({ ...collected.usage, costUsd: undefined }, { inputTokens, outputTokens, costUsd: undefined, estimated: true });
      assert.ok(Math.abs((collected.usage?.costUsd ?? 0) - (inputTokens * GPT_4O_MINI.input + outputTokens * GPT_4O_MINI.output)) < 1e-12);
    });

    it("keeps the provider's report when the stream is read to its end", async () => {
      server.enqueue(reply.text('It is 42.', { usage: { promptTokens: 120, completionTokens: 4 } }));
      const collected = complete((await collect('auto')).outcome);
      assert.deepEqual({ ...collected.usage, costUsd: undefined }, { inputTokens: 120, outputTokens: 4, costUsd: undefined, estimated: false });
      assert.ok(Math.abs((collected.usage?.costUsd ?? 0) - (120 * GPT_4O_MINI.input + 4 * GPT_4O_MINI.output)) < 1e-12);
    });

    it('estimates a reply from a server that reports no usage, counting thinking and tool calls as output', async () => {
      const tools: ChatRequest = { ...request, tools: [{ name: 'execute_python', description: 'Runs Python.', parameters: { type: 'object' } }] };
      const text = '<think>Multiply.</think>Running it.';
      server.enqueue(reply.toolCall('print(6 * 7)', { text, usage: null }));
      const collected = complete((await collect('tools', tools)).outcome);
      const output = text + 'execute_python' + JSON.stringify({ code: 'print(6 * 7)' });
      assert.equal(collected.usage?.estimated, true);
      assert.equal(collected.usage?.outputTokens, Math.ceil(output.length / 4));
      assert.equal(collected.usage?.inputTokens, estimateRequestTokens(tools));
      assert.ok(estimateRequestTokens(tools) > estimateRequestTokens(request), 'the tool definitions count as input');
    });

    it('estimates what a reply stopped by the user had used', async () => {
      server.enqueue(reply.text('', { chunks: ['Let me think about this for a while. ', 'More.', 'More.'], delayMs: 200 }));
      const stop = new AbortController();
      const { outcome } = await collect('auto', request, stop.signal, () => stop.abort());
      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.usage?.estimated, true);
      assert.equal(outcome.usage?.outputTokens, Math.ceil('Let me think about this for a while. '.length / 4));
    });

    it('counts nothing for a request that failed before the model said anything', async () => {
      server.enqueue(reply.unauthorized());
      const { outcome } = await collect('auto');
      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.usage, undefined);
    });
  });

  describe('think blocks', () => {
    it('keeps the thought out of the prose and the text', async () => {
      server.enqueue(reply.text('<think>\nSix sevens. I could check with <execute>print(6*7)</execute>.\n</think>\n\nIt is 42.', { chunkSize: 3, honourStop: false }));
      const { outcome, prose } = await collect('auto', { ...request, stop: ['</execute>'] });
      const collected = complete(outcome);
      assert.equal(prose, 'It is 42.');
      assert.equal(collected.text, 'It is 42.');
      assert.equal(collected.thinking, 'closed');
      assert.equal(server.requests[0]?.clientDisconnected, false, 'an action inside the thought does not end the stream');
    });

    it('reports a reply that the </execute> stop sequence ended inside its thinking', async () => {
      server.enqueue(reply.text("<think>\nI could run <execute>import os; os.listdir('/')</execute> but no.\n</think>\nAnswer."));
      const { outcome, prose } = await collect('auto', { ...request, stop: ['</execute>'] });
      const collected = complete(outcome);
      assert.equal(prose, '');
      assert.deepEqual([collected.text, collected.thinking, collected.finishReason], ['', 'open', 'stop']);
    });

    it('reads a reply that starts inside a thought (DeepSeek-R1 template): nothing from the thought, the action after </think>', async () => {
      const thought = "Okay, the user wants the files. I could run ```python\nshutil.rmtree('data')\n``` but that is destructive, so no.\n</think>\n\n";
      server.enqueue(reply.text(`${thought}Here is the listing:\n\`\`\`python\nprint(sorted(__import__('os').listdir('.')))\n\`\`\`\nMore text never read. The model goes on to imagine the output,\nline after line.`, { chunkSize: 4, delayMs: 2 }));
      const { outcome, prose, resets } = await collect('auto', request, undefined, undefined, { startsInThought: true });
      const collected = complete(outcome);
      assert.equal(prose, 'Here is the listing:\n');
      assert.equal(resets, 0);
      assert.ok(collected.text.startsWith("Here is the listing:\n```python\nprint(sorted(__import__('os').listdir('.')))\n```"), collected.text);
      assert.deepEqual([collected.thinking, collected.thoughtOpenedInPrompt, collected.finishReason], ['closed', true, 'stop']);
      await eventually(() => server.requests[0]?.clientDisconnected === true, 'the stream was ended after the action, not at the mused block');
    });

    it('withdraws the prose shown before a stray </think> from a model not known to think', async () => {
      server.enqueue(reply.text('The user wants 42. Just answer.\n</think>\n\nIt is 42.', { chunkSize: 3 }));
      const { outcome, prose, resets } = await collect('auto');
      const collected = complete(outcome);
      assert.equal(resets, 1);
      assert.equal(prose, 'It is 42.');
      assert.deepEqual([collected.text, collected.thinking, collected.thoughtOpenedInPrompt], ['It is 42.', 'closed', true]);
    });
  });
});
