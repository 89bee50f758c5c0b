/**
 * The CodeAct loop when things go wrong or the user presses Stop: model faults over real HTTP
 * (429 with Retry-After, a dropped stream, 401, 404, an unreachable server, a prompt too long)
 * and Stop while the reply streams, while the user decides, and while code runs in the real
 * kernel.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import type { ActionRunner } from '../../../src/agent/agentPorts';
import { CodeActAgent, type CodeActAgentOptions, type TurnOutcome } from '../../../src/agent/codeActAgent';
import { type ConversationState, emptyConversation } from '../../../src/agent/conversation';
import { OpenAIChatModel } from '../../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../../src/llm/retryPolicy';
import type { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { messageText, reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';
import { assertIncludes, EventLog, kernelRunner, ScriptedApprovalGate, startKernel } from './agentTestKit';

interface Run {
  readonly log: EventLog;
  readonly gate: ScriptedApprovalGate;
  readonly controller: AbortController;
  readonly outcome: Promise<TurnOutcome>;
}

describe('CodeAct loop: faults and Stop', function () {
  this.timeout(60_000);
  let kernel: PythonKernelProcess;
  let server: ScriptedModelServer;

  before(async () => {
    kernel = await startKernel();
  });
  after(async () => {
    await kernel.dispose();
  });
  beforeEach(async () => {
    server = await startScriptedModelServer();
  });
  afterEach(async () => {
    await server.close();
  });

  function start(
    userText: string | undefined,
    options: { baseURL?: string; gate?: ScriptedApprovalGate; runner?: ActionRunner; agent?: Partial<CodeActAgentOptions>; stopFirst?: boolean; conversation?: ConversationState } = {},
  ): Run {
    const log = new EventLog();
    const gate = options.gate ?? new ScriptedApprovalGate();
    const controller = new AbortController();
    if (options.stopFirst) controller.abort();
    const model = new OpenAIChatModel({
      baseURL: options.baseURL ?? server.baseUrl,
      apiKey: undefined,
      model: 'scripted-model',
      retryPolicy: { ...DEFAULT_RETRY_POLICY, initialDelayMs: 20 },
    });
    const agent = new CodeActAgent({
      model,
      runner: options.runner ?? kernelRunner(kernel),
      approvals: gate,
      events: log.sink,
      options: { actionFormat: 'auto', contextWindowTokens: 32_000, ...options.agent },
    });
    const conversation = options.conversation ?? emptyConversation();
    const outcome = agent.runTurn({ conversation, ...(userText !== undefined ? { userText } : {}), systemPrompt: 'You are CodeAct.' }, controller.signal);
    return { log, gate, controller, outcome };
  }

  describe('model faults', () => {
    it('429 with Retry-After: waits as asked, tells the user, then goes on', async () => {
      server.enqueue(reply.rateLimited(1), reply.text('<execute>\nprint("after 429")\n</execute>'), reply.text('Done.'));
      const run = start('go');
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'answered');
      assert.equal(run.log.of('notice')[0]?.text, 'The model request failed (rate limited (429)); retrying in 1 s (attempt 1 of 4).');
      const [first, second] = server.requests;
      assert.ok(first && second && second.receivedAt - first.receivedAt >= 950);
      assert.equal(messageText(server.chatRequests()[2]?.messages.at(-1) ?? { role: '' }), 'Observation:\nafter 429');
    });

    it('a stream cut mid-reply is retried, and the UI is told to drop the partial text', async () => {
      server.enqueue(reply.cut('I will look at the fi', { chunkSize: 4 }), reply.text('I will check.\n<execute>\nprint("checked")\n</execute>'), reply.text('Done.'));
      const run = start('go');
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'answered');
      assert.equal(run.log.of('replyReset').length, 1);
      assert.deepEqual(run.log.shownProse(), ['I will check.\n', 'Done.']);
      assert.equal(outcome.conversation.entries[1]?.text, 'I will check.\n<execute>\nprint("checked")\n</execute>');
    });

    it('401 ends the turn with the message the user needs', async () => {
      const keyed = await startScriptedModelServer([], { expectedApiKey: 'the-right-key' });
      try {
        const run = start('go', { baseURL: keyed.baseUrl });
        const outcome = await run.outcome;
        assert.equal(outcome.reason, 'modelError');
        assert.match(outcome.message ?? '', /^The API key was rejected by 127\.0\.0\.1:\d+ \(401/);
        assert.deepEqual(run.log.of('turnEnded')[0]?.message, outcome.message);
        assert.equal(run.log.of('turnEnded')[0]?.failure, 'auth', 'the UI can offer "Set API Key"');
        assert.deepEqual(outcome.conversation.entries, [{ kind: 'request', text: 'go' }]);
      } finally {
        await keyed.close();
      }
    });

    it('a retry after a failed request asks the model again without repeating the message', async () => {
      server.enqueue(reply.modelNotFound('scripted-model'), reply.text('Here I am.'));
      const failed = await start('are you there?').outcome;
      assert.equal(failed.reason, 'modelError');
      const retried = await start(undefined, { conversation: failed.conversation }).outcome;
      assert.equal(retried.reason, 'answered');
      const asked = server.chatRequests().at(-1)?.messages ?? [];
      assert.deepEqual(asked.filter((m) => m.role === 'user').map(messageText), ['are you there?'], 'the message is sent once');
      assert.deepEqual(retried.conversation.entries.map((e) => e.kind), ['request', 'reply']);
    });

    it('an empty reply is a model failure the user can retry, and is never sent back to the model', async () => {
      server.enqueue(reply.text(''), reply.text('Here is the answer.'));
      const run = start('what is 6 * 7?');
      const failed = await run.outcome;
      assert.equal(failed.reason, 'modelError', 'not "answered": nothing was answered');
      assert.match(failed.message ?? '', /empty reply/i);
      assert.equal(run.log.of('turnEnded')[0]?.failure, 'emptyReply');
      assert.deepEqual(failed.conversation.entries, [{ kind: 'request', text: 'what is 6 * 7?' }], 'no empty assistant message is kept');
      // Retry, as the notice's button does: a strict server would refuse an empty assistant message.
      const retried = await start(undefined, { conversation: failed.conversation }).outcome;
      assert.equal(retried.reason, 'answered');
      assert.deepEqual(retried.conversation.entries.map((e) => e.kind), ['request', 'reply']);
    });

    it('a reply of whitespace, or a thought with no answer after it, is empty too', async () => {
      server.enqueue(reply.text('  \n\n '));
      assert.equal((await start('go').outcome).reason, 'modelError');
      server.enqueue(reply.text('<think>\nThe user wants a greeting.\n</think>\n\n'));
      const thought = await start('go').outcome;
      assert.equal(thought.reason, 'modelError');
      assert.deepEqual(thought.conversation.entries.map((e) => e.kind), ['request']);
    });

    it('404 names the missing model', async () => {
      server.enqueue(reply.modelNotFound('scripted-model'));
      const outcome = await start('go').outcome;
      assert.equal(outcome.reason, 'modelError');
      assert.match(outcome.message ?? '', /has no model "scripted-model" \(404/);
    });

    it('an unreachable server asks whether it is running', async () => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as net.AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const outcome = await start('go', { baseURL: `http://127.0.0.1:${port}/v1` }).outcome;
      assert.equal(outcome.reason, 'modelError');
      assert.equal(outcome.message, `Cannot reach http://127.0.0.1:${port}/v1 — is the server running? (ECONNREFUSED)`);
    });

    it('a prompt the server finds too long: shortens harder and tries once more', async () => {
      server.enqueue(
        reply.text('<execute>\nprint("x" * 6000)\n</execute>'),
        reply.text('<execute>\nprint("y" * 6000)\n</execute>'),
        { type: 'httpError', status: 400, message: "This model's maximum context length is 2048 tokens.", code: 'context_length_exceeded' },
        reply.text('Done.'),
      );
      const run = start('go');
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'answered');
      assert.ok(run.log.of('notice').some((n) => /too long; shortening older outputs/.test(n.text)));
      assert.ok(run.log.of('contextShortened').length >= 1);
      const retried = server.chatRequests()[3];
      const firstObservation = retried?.messages[3];
      assert.equal(firstObservation?.role, 'user');
      assert.ok(firstObservation && messageText(firstObservation).length < 3_000, JSON.stringify(firstObservation));
    });
  });

  describe('Stop', () => {
    it('while the reply streams: ends at once, closes the request, keeps the prose shown so far', async () => {
      server.enqueue(reply.text('Thinking about it. '.repeat(40), { chunkSize: 6, delayMs: 30 }));
      const run = start('go');
      await run.log.next('replyDelta');
      const stoppedAt = Date.now();
      run.controller.abort();
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.equal(outcome.message, 'Stopped.');
      assert.ok(Date.now() - stoppedAt < 1_000, `took ${Date.now() - stoppedAt} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(server.requests[0]?.clientDisconnected, true);
      const last = outcome.conversation.entries.at(-1);
      assert.equal(last?.kind, 'reply');
      assert.ok(last && last.text.length > 0 && 'Thinking about it. '.repeat(40).startsWith(last.text), last?.text);
    });

    it('while the user decides: the action is cancelled and never runs', async () => {
      server.enqueue(reply.text('<execute>\nprint("never runs")\n</execute>'), reply.text('never requested'));
      const runner = kernelRunner(kernel);
      const run = start('go', { gate: new ScriptedApprovalGate(['wait']), runner });
      await run.log.next('actionProposed');
      run.controller.abort();
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.deepEqual(runner.ran, []);
      assert.equal(run.log.of('actionDecided')[0]?.status, 'cancelled');
      assert.equal(outcome.conversation.entries.at(-1)?.text, 'Not run: the user stopped the task before this action ran.');
      assert.equal(server.chatRequests().length, 1);
    });

    it('while code runs: the kernel is interrupted, the turn ends, and the kernel still works', async () => {
      server.enqueue(reply.text('<execute>\nimport time\nprint("started", flush=True)\nfor _ in range(600):\n    time.sleep(0.05)\n</execute>'), reply.text('never'));
      const run = start('go');
      await run.log.next('actionDecided');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stoppedAt = Date.now();
      run.controller.abort();
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.ok(Date.now() - stoppedAt < 8_000, `took ${Date.now() - stoppedAt} ms`);
      const finished = run.log.of('actionFinished')[0];
      assert.equal(finished?.status, 'cancelled');
      const observation = outcome.conversation.entries.at(-1)?.text;
      assertIncludes(observation, 'started');
      assertIncludes(observation, '[The user stopped this code while it was running.]');
      assert.equal(server.chatRequests().length, 1);
      const after = await kernel.execute('print("still alive")');
      assert.equal(after.status, 'ok');
    });

    it('a runner that ignores Stop is given up on after the grace period', async () => {
      server.enqueue(reply.text('<execute>\nprint(1)\n</execute>'));
      const stuck: ActionRunner = { run: () => new Promise(() => undefined) };
      const run = start('go', { runner: stuck, agent: { stopGraceMs: 100 } });
      await run.log.next('actionDecided');
      run.controller.abort();
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.equal(run.log.of('actionFinished')[0]?.observation.status, 'cancelled');
    });

    it('during a retry wait', async () => {
      server.enqueue(reply.rateLimited(20), reply.text('never'));
      const run = start('go');
      await run.log.next('notice');
      run.controller.abort();
      const outcome = await run.outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.equal(server.requests.length, 1);
    });

    it('before the turn starts: nothing is sent', async () => {
      const outcome = await start('go', { stopFirst: true }).outcome;
      assert.equal(outcome.reason, 'stopped');
      assert.equal(server.requests.length, 0);
    });
  });
});
