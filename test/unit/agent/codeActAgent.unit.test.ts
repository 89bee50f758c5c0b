/**
 * The CodeAct loop end to end: the real `openai` client over real HTTP to the scripted model
 * server, code running in the real ipykernel, approvals from a scripted gate. Assertions look
 * at what the model was actually sent (the server's recorded requests) and at the events the
 * UI would get.
 */
import * as assert from 'node:assert/strict';
import type { ApprovalDecision } from '../../../src/agent/agentPorts';
import { CodeActAgent, type CodeActAgentOptions, type TurnOutcome } from '../../../src/agent/codeActAgent';
import { type ConversationState, emptyConversation, parseConversationState } from '../../../src/agent/conversation';
import { buildSystemPrompt } from '../../../src/agent/systemPrompt';
import { OpenAIChatModel } from '../../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../../src/llm/retryPolicy';
import type { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { KERNEL_STATE_PROBE_CODE, parseKernelStateProbe } from '../../../src/kernel/kernelStateProbe';
import type { KernelOutput } from '../../../src/kernel/kernelOutputs';
import { type ChatRequestBody, messageText, reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';
import { assertIncludes, EventLog, kernelRunner, ScriptedApprovalGate, startKernel } from './agentTestKit';

const KEY = 'sk-test-agent-key-0001';

/** The last message of a recorded request, as text. */
function lastMessage(body: ChatRequestBody | undefined): string {
  const message = body?.messages.at(-1);
  return message ? messageText(message) : '';
}

function streamTextOf(outputs: readonly KernelOutput[]): string {
  return outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
}

describe('CodeAct loop (scripted model over HTTP, real kernel)', function () {
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
    server = await startScriptedModelServer([], { expectedApiKey: KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  interface Harness {
    readonly agent: CodeActAgent;
    readonly log: EventLog;
    readonly gate: ScriptedApprovalGate;
    readonly runner: ReturnType<typeof kernelRunner>;
    turn(text: string, conversation?: ConversationState, signal?: AbortSignal): Promise<TurnOutcome>;
  }

  function harness(options: Partial<CodeActAgentOptions> = {}, decisions: ConstructorParameters<typeof ScriptedApprovalGate>[0] = [], model = 'gpt-4o-mini'): Harness {
    const log = new EventLog();
    const gate = new ScriptedApprovalGate(decisions);
    const runner = kernelRunner(kernel);
    const chatModel = new OpenAIChatModel({
      baseURL: server.baseUrl,
      apiKey: KEY,
      model,
      reportCost: true,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, initialDelayMs: 20 },
    });
    const agentOptions: CodeActAgentOptions = { actionFormat: 'auto', contextWindowTokens: 128_000, ...options };
    const agent = new CodeActAgent({ model: chatModel, runner, approvals: gate, events: log.sink, options: agentOptions });
    const systemPrompt = buildSystemPrompt({ actionFormat: agentOptions.actionFormat });
    return {
      agent,
      log,
      gate,
      runner,
      turn: (text, conversation = emptyConversation(), signal = new AbortController().signal) =>
        agent.runTurn({ conversation, userText: text, systemPrompt }, signal),
    };
  }

  describe('self-debugging', () => {
    it('sees the real NameError, fixes the code, and answers with the right number', async () => {
      server.enqueue(
        reply.text('Let me compute it.\n<execute>\nsquares_total = sum(i**2 for i in range(1, 11))\nprint(squares_totl)\n</execute>', {
          usage: { promptTokens: 900, completionTokens: 40 },
        }),
        reply.text('I misspelled the name. Fixing it.\n<execute>\nprint(squares_total)\n</execute>', { usage: { promptTokens: 1000, completionTokens: 20 } }),
        reply.text('The sum of the squares of 1 to 10 is 385.', { usage: { promptTokens: 1100, completionTokens: 15 } }),
      );
      const h = harness();
      const outcome = await h.turn('What is the sum of the squares of 1 to 10?');

      assert.equal(outcome.reason, 'answered');
      assert.equal(outcome.message, undefined);
      assert.equal(outcome.actionsRun, 2);
      const [first, second, third] = server.chatRequests();
      // Every request carries the stop sequence, and the first starts with system + user.
      for (const body of server.chatRequests()) assert.deepEqual(body.stop, ['</execute>']);
      assert.deepEqual(first?.messages.map((m) => m.role), ['system', 'user']);
      // The model sees the real traceback of its buggy code...
      const traceback = lastMessage(second);
      assert.match(traceback, /^Observation:\n/);
      assertIncludes(traceback, "NameError: name 'squares_totl' is not defined");
      // ...its own reply with the tag closed again (the server stopped at </execute>)...
      const assistant = second?.messages.at(-2);
      assert.equal(assistant?.role, 'assistant');
      assert.equal(messageText(assistant ?? { role: '' }), 'Let me compute it.\n<execute>\nsquares_total = sum(i**2 for i in range(1, 11))\nprint(squares_totl)\n</execute>');
      // ...and then the correct output.
      assert.equal(lastMessage(third), 'Observation:\n385');

      assert.deepEqual(h.runner.ran, ['squares_total = sum(i**2 for i in range(1, 11))\nprint(squares_totl)', 'print(squares_total)']);
      assert.deepEqual(h.log.of('actionFinished').map((e) => [e.status, e.observation.status]), [['ran', 'error'], ['ran', 'ok']]);
      assert.deepEqual(h.log.shownProse(), ['Let me compute it.\n', 'I misspelled the name. Fixing it.\n', 'The sum of the squares of 1 to 10 is 385.']);
      assert.equal(h.log.of('replyFinished').at(-1)?.prose, 'The sum of the squares of 1 to 10 is 385.');
      assert.deepEqual(h.log.of('turnEnded'), [{ type: 'turnEnded', reason: 'answered', message: undefined }]);

      // Usage per reply and for the turn, with the cost of gpt-4o-mini.
      assert.deepEqual(h.log.of('usage').map((u) => [u.inputTokens, u.outputTokens]), [[900, 40], [1000, 20], [1100, 15]]);
      assert.deepEqual([outcome.usage.inputTokens, outcome.usage.outputTokens], [3000, 75]);
      assert.ok(Math.abs((outcome.usage.costUsd ?? 0) - (3000 * 0.15 + 75 * 0.6) / 1e6) < 1e-12);

      // The conversation is plain data that survives persistence.
      assert.deepEqual(outcome.conversation.entries.map((e) => e.kind), ['request', 'reply', 'observation', 'reply', 'observation', 'reply']);
      assert.deepEqual(parseConversationState(JSON.parse(JSON.stringify(outcome.conversation))), outcome.conversation);
      assert.deepEqual(h.log.of('conversationChanged').at(-1)?.conversation, outcome.conversation);
    });

    it('resumes a persisted conversation: the next request carries the earlier history', async () => {
      server.enqueue(reply.text('<execute>\nresume_x = 41\n</execute>'), reply.text('Set.'), reply.text('<execute>\nprint(resume_x + 1)\n</execute>'), reply.text('42.'));
      const h = harness();
      const first = await h.turn('Set x.');
      const restored = parseConversationState(JSON.parse(JSON.stringify(first.conversation)));
      assert.ok(restored);
      const second = await h.turn('Now add one.', restored);
      assert.equal(second.reason, 'answered');
      const requests = server.chatRequests();
      assert.deepEqual(requests[2]?.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
      assert.equal(lastMessage(requests[3]), 'Observation:\n42');
    });
  });

  describe('action formats', () => {
    it('markdown: stops the stream after the first Python block and keeps only it', async () => {
      server.enqueue(
        reply.text('Computing.\n```python\nprint(6 * 7)\n```\nThis prints 42.\n```python\nprint("never")\n```', { chunkSize: 4, delayMs: 2 }),
        reply.text('It is 42.'),
      );
      const h = harness({ actionFormat: 'markdown' });
      const outcome = await h.turn('6 times 7?');
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(h.runner.ran, ['print(6 * 7)']);
      const [first, second] = server.chatRequests();
      assert.equal(first?.stop, undefined);
      assert.equal(server.requests[0]?.clientDisconnected, true, 'the stream was stopped after the block');
      assert.equal(messageText(second?.messages.at(-2) ?? { role: '' }), 'Computing.\n```python\nprint(6 * 7)\n```');
      assert.equal(lastMessage(second), 'Observation:\n42');
      assert.equal(h.log.shownProse()[0], 'Computing.\n');
    });

    it('markdown: counts the usage of a reply whose stream was left early, as an estimate', async () => {
      // The usage chunk at the end of the first stream is never read: the agent leaves after the block.
      server.enqueue(
        reply.text('', { chunks: ['Computing.\n```python\nprint(6 * 7)\n```\n', 'This prints 42.'], delayMs: 30, usage: { promptTokens: 900, completionTokens: 30 } }),
        reply.text('It is 42.', { usage: { promptTokens: 1000, completionTokens: 5 } }),
      );
      const h = harness({ actionFormat: 'markdown' });
      const outcome = await h.turn('6 times 7?');
      assert.equal(server.requests[0]?.clientDisconnected, true);
      const usage = h.log.of('usage');
      assert.deepEqual(usage.map((u) => u.estimated), [true, false]);
      const estimate = usage[0];
      assert.ok(estimate && estimate.inputTokens > 0 && estimate.outputTokens === Math.ceil('Computing.\n```python\nprint(6 * 7)\n```\n'.length / 4));
      assert.ok(estimate.costUsd !== undefined && estimate.costUsd > 0, 'priced like a reported reply');
      assert.deepEqual([outcome.usage.inputTokens, outcome.usage.outputTokens, outcome.usage.estimated], [estimate.inputTokens + 1000, estimate.outputTokens + 5, true]);
    });

    it('auto accepts a fenced Python block too', async () => {
      server.enqueue(reply.text('```python\nprint("fenced")\n```'), reply.text('Done.'));
      const h = harness({ actionFormat: 'auto' });
      assert.equal((await h.turn('go')).reason, 'answered');
      assert.deepEqual(h.runner.ran, ['print("fenced")']);
    });

    it('tools: the execute_python call runs and its result comes back as a tool message', async () => {
      server.enqueue(reply.toolCall('print(2 ** 10)', { id: 'call_pow', text: 'Computing 2**10.' }), reply.text('2**10 is 1024.'));
      const h = harness({ actionFormat: 'tools' });
      const outcome = await h.turn('What is 2**10?');
      assert.equal(outcome.reason, 'answered');
      const [first, second] = server.chatRequests();
      assert.equal(first?.tools?.[0]?.function.name, 'execute_python');
      assert.equal(first?.stop, undefined);
      const assistant = second?.messages.at(-2);
      assert.equal(assistant?.tool_calls?.[0]?.id, 'call_pow');
      assert.equal(assistant?.tool_calls?.[0]?.function.arguments, JSON.stringify({ code: 'print(2 ** 10)' }));
      const tool = second?.messages.at(-1);
      assert.equal(tool?.role, 'tool');
      assert.equal(tool?.tool_call_id, 'call_pow');
      assert.equal(tool && messageText(tool), '1024');
      assert.equal(h.log.of('actionProposed')[0]?.action.source, 'tool');
    });

    it('tools: a second call in the same reply is answered "not run"', async () => {
      server.enqueue(
        {
          type: 'completion',
          toolCalls: [
            { id: 'call_a', arguments: { code: 'print("a")' } },
            { id: 'call_b', arguments: { code: 'print("b")' } },
          ],
        },
        reply.text('Done.'),
      );
      const h = harness({ actionFormat: 'tools' });
      await h.turn('two things');
      assert.deepEqual(h.runner.ran, ['print("a")']);
      const second = server.chatRequests()[1];
      assert.deepEqual(second?.messages.slice(-2).map((m) => [m.role, m.tool_call_id, messageText(m)]), [
        ['tool', 'call_a', 'a'],
        ['tool', 'call_b', 'Not run: only one action runs per reply. Call it again after seeing the result of the first.'],
      ]);
    });
  });

  describe('the forms real models write (auto)', () => {
    it('OpenHands <execute_bash>: runs as a %%bash cell, the card says shell, the history keeps the tag', async () => {
      server.enqueue(reply.text('Let me see what is in the folder.\n<execute_bash>\nls\n</execute_bash>'), reply.text('Listed.'));
      const h = harness();
      assert.equal((await h.turn('list the files')).reason, 'answered');
      assert.deepEqual(h.runner.ran, ['%%bash\nls']);
      assert.equal(h.log.of('actionProposed')[0]?.action.language, 'bash');
      assert.equal(messageText(server.chatRequests()[1]?.messages.at(-2) ?? { role: '' }), 'Let me see what is in the folder.\n<execute_bash>\nls\n</execute_bash>');
    });

    it('OpenHands <execute_browse>: the model is told which forms run and the turn goes on', async () => {
      server.enqueue(
        reply.text("I'll read the docs first.\n<execute_browse>\nGoto('https://docs.python.org')\n</execute_browse>"),
        reply.text('Then in Python.\n<execute_ipython>\nprint("ok")\n</execute_ipython>'),
        reply.text('Done.'),
      );
      const h = harness();
      assert.equal((await h.turn('go')).reason, 'answered');
      assert.match(lastMessage(server.chatRequests()[1]), /^Your <execute_browse> block was not run: .* Only these run here: .*<execute_bash>/);
      assert.deepEqual(h.runner.ran, ['print("ok")']);
      assert.match(h.log.of('notice')[0]?.text ?? '', /<execute_browse>/);
    });

    it('unrunnable tags count toward the failure limit', async () => {
      const browse = reply.text('<execute_browse>\nGoto("https://example.com")\n</execute_browse>');
      server.enqueue(browse, browse, browse, reply.text('never'));
      assert.equal((await harness().turn('go')).reason, 'consecutiveFailures');
      assert.equal(server.remaining(), 1);
    });

    it('code shown as an answer is not run', async () => {
      server.enqueue(reply.text('Here is a helper you can use later:\n```python\ndef double(x):\n    return 2 * x\n```\nWould you like me to run it on your data?'));
      const h = harness();
      assert.equal((await h.turn('write me a doubling function')).reason, 'answered');
      assert.deepEqual(h.runner.ran, []);
      assert.match(h.log.of('replyFinished')[0]?.prose ?? '', /Would you like me to run it/);
    });

    it('tools: a call of another name whose arguments hold code runs as execute_python, with a note', async () => {
      server.enqueue({ type: 'completion', toolCalls: [{ id: 'call_py', name: 'python', arguments: { code: 'print(7 * 6)' } }] }, reply.text('42.'));
      const h = harness({ actionFormat: 'tools' });
      assert.equal((await h.turn('6 times 7?')).reason, 'answered');
      assert.deepEqual(h.runner.ran, ['print(7 * 6)']);
      const second = server.chatRequests()[1];
      assert.equal(second?.messages.at(-2)?.tool_calls?.[0]?.function.name, 'execute_python');
      const tool = second?.messages.at(-1);
      assert.equal(tool?.tool_call_id, 'call_py');
      assert.match(tool ? messageText(tool) : '', /^\(There is no tool named "python"; your call ran as execute_python.*\)\n42$/);
    });
  });

  describe("the user's decisions reach the model", () => {
    it('an edited action: the history shows the code that ran, and the observation says it was edited', async () => {
      server.enqueue(reply.text('Deleting the temp files.\n<execute>\nprint("rm -rf /tmp/x")\n</execute>'), reply.text('OK, listed instead.'));
      const edit: ApprovalDecision = { kind: 'run', code: 'print("listing only")', edited: true };
      const h = harness({}, [edit]);
      const outcome = await h.turn('Clean up temp files.');
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(h.runner.ran, ['print("listing only")']);
      const second = server.chatRequests()[1];
      const assistant = messageText(second?.messages.at(-2) ?? { role: '' });
      assert.equal(assistant, 'Deleting the temp files.\n<execute>\nprint("listing only")\n</execute>');
      assert.ok(!assistant.includes('rm -rf'), 'the proposed code is replaced by what ran');
      assert.equal(lastMessage(second), 'Observation:\n[The user edited your code before it ran; the code above is what ran.]\nlisting only');
      assert.equal(h.log.of('actionFinished')[0]?.status, 'editedAndRan');
      assert.equal(h.log.of('actionDecided')[0]?.code, 'print("listing only")');
    });

    it('an edit in tools format rewrites the tool call arguments', async () => {
      server.enqueue(reply.toolCall('print(1)', { id: 'call_e' }), reply.text('Done.'));
      const h = harness({ actionFormat: 'tools' }, [{ kind: 'run', code: 'print(2)', edited: true }]);
      await h.turn('go');
      const second = server.chatRequests()[1];
      assert.equal(second?.messages.at(-2)?.tool_calls?.[0]?.function.arguments, JSON.stringify({ code: 'print(2)' }));
      assert.match(lastMessage(second), /^\[The user edited your code before it ran; the code above is what ran\.\]\n2$/);
    });

    it('a skipped action becomes the observation, and the loop goes on', async () => {
      server.enqueue(reply.text('<execute>\nprint("first")\n</execute>'), reply.text('<execute>\nprint("second")\n</execute>'), reply.text('Done.'));
      const h = harness({}, [{ kind: 'skip' }]);
      const outcome = await h.turn('go');
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(h.runner.ran, ['print("second")']);
      assert.equal(lastMessage(server.chatRequests()[1]), 'The user skipped this action, so it did not run. Go on without it, or ask the user how to proceed.');
      assert.equal(h.log.of('actionDecided')[0]?.status, 'skipped');
    });

    it('a rejection with feedback becomes the observation, and the model revises', async () => {
      server.enqueue(reply.text('<execute>\nimport os\nprint(os.listdir("/"))\n</execute>'), reply.text('<execute>\nprint("only cwd")\n</execute>'), reply.text('Done.'));
      const h = harness({}, [{ kind: 'reject', feedback: 'Only look at the working directory.' }]);
      const outcome = await h.turn('What files are there?');
      assert.equal(outcome.reason, 'answered');
      assert.equal(lastMessage(server.chatRequests()[1]), 'The user rejected this action, so it did not run. Their feedback:\nOnly look at the working directory.');
      assert.deepEqual(h.runner.ran, ['print("only cwd")']);
      assert.deepEqual(h.log.of('actionDecided')[0], { type: 'actionDecided', actionId: h.log.of('actionProposed')[0]?.action.id, status: 'rejected', code: 'import os\nprint(os.listdir("/"))', feedback: 'Only look at the working directory.' });
    });

    it('a rejection without feedback ends the turn and waits for the user', async () => {
      server.enqueue(reply.text('<execute>\nprint("x")\n</execute>'), reply.text('never asked'));
      const h = harness({}, [{ kind: 'reject', feedback: '  ' }]);
      const outcome = await h.turn('go');
      assert.equal(outcome.reason, 'rejected');
      assert.equal(server.chatRequests().length, 1);
      assert.equal(server.remaining(), 1);
      assert.equal(outcome.conversation.entries.at(-1)?.text, 'The user rejected this action, so it did not run.');
    });

    it('a denial (untrusted workspace) ends the turn at once, saying why, without asking the model again', async () => {
      server.enqueue(reply.text('<execute>\nprint("x")\n</execute>'), reply.text('never asked'));
      const reason = 'This workspace is not trusted, so CodeAct does not run code here.';
      const h = harness({}, [{ kind: 'deny', reason }]);
      const outcome = await h.turn('go');
      assert.equal(outcome.reason, 'denied');
      assert.equal(outcome.message, reason);
      assert.equal(server.chatRequests().length, 1);
      assert.deepEqual(h.runner.ran, []);
      assert.equal(outcome.conversation.entries.at(-1)?.text, `The action was not run: ${reason}`);
      assert.equal(h.log.of('actionDecided')[0]?.status, 'cancelled');
    });

    it('an auto-approved action is reported as such', async () => {
      server.enqueue(reply.text('<execute>\nprint(1)\n</execute>'), reply.text('Done.'));
      const h = harness({}, [{ kind: 'run', code: 'print(1)', edited: false, auto: true }]);
      await h.turn('go');
      assert.equal(h.log.of('actionFinished')[0]?.status, 'autoRan');
    });

    it('proposes each action with its code, source and number', async () => {
      server.enqueue(reply.text('<execute>\na_1 = 1\n</execute>'), reply.text('<execute>\na_2 = 2\n</execute>'), reply.text('Done.'));
      const h = harness();
      await h.turn('go');
      assert.deepEqual(h.gate.asked.map((a) => [a.code, a.source, a.index]), [['a_1 = 1', 'tags', 1], ['a_2 = 2', 'tags', 2]]);
    });
  });

  describe('a decision that comes after its turn is gone (the window reloaded while it waited)', () => {
    /** Runs a turn until its action waits for approval; returns the conversation saved at that moment. */
    async function savedWhilePending(actionReply: ReturnType<typeof reply.text>, format: CodeActAgentOptions['actionFormat'] = 'auto'): Promise<{ conversation: ConversationState; actionId: string }> {
      server.enqueue(actionReply);
      const h = harness({ actionFormat: format }, ['wait']);
      const stop = new AbortController();
      const turn = h.turn('count the rows', emptyConversation(), stop.signal);
      const proposed = await h.log.next('actionProposed');
      const saved = h.log.of('conversationChanged').at(-1)?.conversation;
      stop.abort();
      await turn;
      assert.ok(saved);
      return { conversation: saved, actionId: proposed.action.id };
    }

    it('Run runs the code as shown, once, and the model goes on from its output', async () => {
      const { conversation, actionId } = await savedWhilePending(reply.text("<execute>\nprint('rows:', 3 * 4)\n</execute>"));
      assert.equal(conversation.entries.at(-1)?.kind, 'reply', 'the proposal was saved while it waited');
      server.enqueue(reply.text('There are 12 rows.'));
      const h = harness();
      const before = server.chatRequests().length;
      const outcome = await h.agent.runTurn(
        { conversation, resume: { actionId, decision: { kind: 'run', code: "print('rows:', 3 * 4 + 1)", edited: true } }, systemPrompt: 'You are CodeAct.' },
        new AbortController().signal,
      );
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(h.runner.ran, ["print('rows:', 3 * 4 + 1)"], 'the edited code ran, without asking again');
      assert.equal(h.gate.asked.length, 0);
      assert.equal(server.chatRequests().length, before + 1);
      const observation = messageText(server.chatRequests().at(-1)?.messages.at(-1) ?? { role: '' });
      assertIncludes(observation, 'rows: 13');
      assert.match(observation, /edited/i);
      assert.deepEqual(h.log.of('actionDecided').map((e) => e.status), ['running']);
    });

    it('a decision for an action the conversation no longer ends with runs nothing', async () => {
      const { conversation } = await savedWhilePending(reply.text("<execute>\nprint('x')\n</execute>"));
      const h = harness();
      const outcome = await h.agent.runTurn(
        { conversation, resume: { actionId: 'some-other-action', decision: { kind: 'run', code: "print('forged')", edited: false } }, systemPrompt: 'You are CodeAct.' },
        new AbortController().signal,
      );
      assert.deepEqual(h.runner.ran, []);
      assert.match(outcome.message ?? '', /can no longer be run/);
    });

    it('an action cut off while it ran is not described to the model as never run', async () => {
      server.enqueue(reply.text("<execute>\nimport time\ntime.sleep(30)\n</execute>"));
      const h = harness();
      const stop = new AbortController();
      const turn = h.turn('wait a while', emptyConversation(), stop.signal);
      await h.log.next('actionDecided');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const saved = h.log.of('conversationChanged').at(-1)?.conversation;
      stop.abort();
      await turn;
      assert.ok(saved);
      server.enqueue(reply.text('I will check first.'));
      await harness().turn('did it finish?', saved);
      const sent = server.chatRequests().at(-1)?.messages.map(messageText).join('\n') ?? '';
      assert.match(sent, /started running, but the window was reloaded before it finished/);
      assert.doesNotMatch(sent, /did not decide/);
    });

    it('writing again without deciding tells the model the action did not run (a tool call gets its answer)', async () => {
      const { conversation } = await savedWhilePending(reply.toolCall("print('x')", { id: 'call_pending' }), 'tools');
      server.enqueue(reply.text('Fine, something else then.'));
      const h = harness({ actionFormat: 'tools' });
      await h.turn('never mind, do something else', conversation);
      const messages = server.chatRequests().at(-1)?.messages ?? [];
      const toolAnswer = messages.find((m) => m.role === 'tool' && m.tool_call_id === 'call_pending');
      assert.ok(toolAnswer, 'the pending tool call is answered before the new message');
      assert.match(messageText(toolAnswer), /did not decide on this action/);
      assert.equal(messageText(messages.at(-1) ?? { role: '' }), 'never mind, do something else');
      assert.deepEqual(h.runner.ran, []);
    });
  });

  describe('limits', () => {
    it('ends after the maximum number of actions, and "continue" goes on', async () => {
      server.enqueue(
        reply.text('<execute>\nstep = 1\n</execute>'),
        reply.text('<execute>\nstep = 2\n</execute>'),
        reply.text('<execute>\nstep = 3\n</execute>'),
      );
      const h = harness({ maxActionsPerTask: 2 });
      const outcome = await h.turn('Count to three.');
      assert.equal(outcome.reason, 'maxActions');
      assert.equal(outcome.message, "Stopped after 2 actions, the limit for one request. Say 'continue' to let it keep going, or raise the setting codeact.maxActionsPerTask.");
      assert.equal(h.gate.asked.length, 2);
      assert.equal(outcome.conversation.entries.at(-1)?.text, 'Not run: the limit of 2 actions for one request was reached. The user has been asked whether to continue.');

      server.enqueue(reply.text('<execute>\nstep = 3\nprint(step)\n</execute>'), reply.text('Counted to three.'));
      const next = await h.turn('continue', outcome.conversation);
      assert.equal(next.reason, 'answered');
      assert.deepEqual(h.runner.ran.at(-1), 'step = 3\nprint(step)');
      assert.equal(lastMessage(server.chatRequests()[3]), 'continue');
    });

    it('ends after three failed actions in a row', async () => {
      server.enqueue(
        reply.text('<execute>\nraise ValueError("one")\n</execute>'),
        reply.text('<execute>\nraise ValueError("two")\n</execute>'),
        reply.text('<execute>\nraise ValueError("three")\n</execute>'),
        reply.text('never requested'),
      );
      const h = harness();
      const outcome = await h.turn('Try hard.');
      assert.equal(outcome.reason, 'consecutiveFailures');
      assert.equal(outcome.message, "Stopped after 3 failed attempts in a row. Say 'continue' to let it keep going, or give it a hint.");
      assert.equal(server.remaining(), 1);
      assertIncludes(outcome.conversation.entries.at(-1)?.text, 'ValueError: three');
    });

    it('a success in between resets the failure count', async () => {
      server.enqueue(
        reply.text('<execute>\nraise ValueError("a")\n</execute>'),
        reply.text('<execute>\nraise ValueError("b")\n</execute>'),
        reply.text('<execute>\nprint("ok")\n</execute>'),
        reply.text('<execute>\nraise ValueError("c")\n</execute>'),
        reply.text('Gave up.'),
      );
      assert.equal((await harness().turn('go')).reason, 'answered');
    });

    it('ends when the model proposes the same code as its previous action, without asking', async () => {
      server.enqueue(reply.text('<execute>\nprint("same")\n</execute>'), reply.text('Again:\n<execute>\n# retry\nprint("same")  \n</execute>'));
      const h = harness();
      const outcome = await h.turn('go');
      assert.equal(outcome.reason, 'repeatedAction');
      assert.match(outcome.message ?? '', /same code as its previous action\. Say 'continue'/);
      assert.equal(h.gate.asked.length, 1);
      assert.equal(outcome.conversation.entries.at(-1)?.text, 'Not run: this is the same code as your previous action. The user has been asked how to continue.');
    });
  });

  describe('malformed replies get a clear observation, never a crash', () => {
    it('an <execute> block cut off by the length limit', async () => {
      server.enqueue(reply.text('<execute>\nfor i in range(3):\n    pri', { finishReason: 'length' }), reply.text('<execute>\nprint("short")\n</execute>'), reply.text('Done.'));
      const h = harness();
      const outcome = await h.turn('go');
      assert.equal(outcome.reason, 'answered');
      assert.match(lastMessage(server.chatRequests()[1]), /^Your reply was cut off before <\/execute> \(the output length limit was reached\), so the code did not run\./);
      assert.deepEqual(h.runner.ran, ['print("short")']);
      assert.match(h.log.of('notice')[0]?.text ?? '', /cut off/);
    });

    it('an empty block', async () => {
      server.enqueue(reply.text('<execute>\n</execute>'), reply.text('Nothing to do.'));
      await harness().turn('go');
      assert.match(lastMessage(server.chatRequests()[1]), /^Your <execute> block was empty, so nothing ran\./);
    });

    it('a block in another language', async () => {
      server.enqueue(reply.text('Run this:\n```bash\nls -la\n```'), reply.text('<execute>\nimport os\nprint(sorted(os.listdir("."))[:1])\n</execute>'), reply.text('Done.'));
      const h = harness();
      await h.turn('List files.');
      assert.match(lastMessage(server.chatRequests()[1]), /^Your reply has a ```bash block, which was not run\. Only these run here: .*<execute_bash>/);
      assert.equal(h.runner.ran.length, 1);
    });

    it('a block in another language meant for the user: sent again after the note, it is the answer', async () => {
      const answer = 'Here is the query:\n```sql\nSELECT month, SUM(revenue) FROM sales GROUP BY month;\n```';
      server.enqueue(reply.text(answer), reply.text(answer));
      const h = harness();
      const outcome = await h.turn('Write me the SQL for revenue by month.');
      assert.equal(outcome.reason, 'answered');
      assert.match(lastMessage(server.chatRequests()[1]), /If the block is part of your answer .* send the answer again as it is/);
      assert.equal(h.runner.ran.length, 0);
      assert.equal(h.log.of('replyFinished').at(-1)?.prose, answer);
    });

    it('three unusable replies in a row end the turn', async () => {
      server.enqueue(reply.text('```js\n1\n```'), reply.text('<execute>\n</execute>'), reply.text('```js\n3\n```'), reply.text('never'));
      const outcome = await harness().turn('go');
      assert.equal(outcome.reason, 'consecutiveFailures');
      assert.equal(server.remaining(), 1);
    });

    it('tool call arguments that are not JSON', async () => {
      server.enqueue({ type: 'completion', toolCalls: [{ id: 'call_bad', arguments: 'print(1)' }] }, reply.text('Sorry.'));
      // The scripted server, like Ollama, refuses a history whose tool calls are not JSON.
      const outcome = await harness({ actionFormat: 'tools' }).turn('go');
      assert.equal(outcome.reason, 'answered', 'the next request was accepted');
      const [, second] = server.chatRequests();
      const tool = second?.messages.at(-1);
      assert.equal(tool?.tool_call_id, 'call_bad');
      assert.match(tool ? messageText(tool) : '', /could not be read \(the arguments were not valid JSON\)/);
      const echoed = second?.messages.at(-2)?.tool_calls?.[0]?.function.arguments ?? '';
      assert.deepEqual(JSON.parse(echoed), { code: 'print(1)' }, 'the call is echoed back as JSON, with what the model wrote');
    });

    it('a tool call cut off mid-arguments does not break the next requests', async () => {
      server.enqueue({ type: 'completion', toolCalls: [{ id: 'call_cut', arguments: '{"code": "import pandas as pd\\ndf = pd.read_csv(' }], finishReason: 'length' }, reply.text('Let me try again.'));
      const outcome = await harness({ actionFormat: 'tools' }).turn('go');
      assert.equal(outcome.reason, 'answered');
      assert.equal(server.chatRequests().length, 2);
    });
  });

  it('sends plot images to a model that sees them', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    server.enqueue(reply.text(`<execute>\nimport base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode("${png}")))\n</execute>`), reply.text('A dot.'));
    const h = harness({}, [], 'gpt-4o');
    await h.turn('Draw.');
    const observation = server.chatRequests()[1]?.messages.at(-1);
    assert.ok(Array.isArray(observation?.content));
    const parts = observation?.content as readonly { type: string; image_url?: { url: string } }[];
    assert.equal(parts[1]?.image_url?.url, `data:image/png;base64,${png}`);
    assert.equal(h.log.of('actionFinished')[0]?.observation.images.length, 1);
  });

  it("keeps no image bytes in the conversation of a model that is not sent images, only their descriptions", async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    server.enqueue(reply.text(`<execute>\nimport base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode("${png}")))\n</execute>`), reply.text('A dot.'));
    const outcome = await harness({ imagesSentToModel: false }).turn('Draw.');
    const observations = outcome.conversation.entries.filter((e) => e.kind === 'observation');
    assert.deepEqual(observations.flatMap((e) => (e.kind === 'observation' ? e.images : [])), []);
    assert.match(observations[0]?.text ?? '', /\[image\/png 1x1\]/);
  });

  it('shortens older outputs when the conversation nears the context window, and says so', async () => {
    const big = (tag: string): string => `<execute>\nprint("${tag}" * 3000)\n</execute>`;
    server.enqueue(reply.text(big('a')), reply.text(big('b')), reply.text(big('c')), reply.text('Done.'));
    const h = harness({ contextWindowTokens: 3_000 });
    const outcome = await h.turn('Print a lot.');
    assert.equal(outcome.reason, 'answered');
    const shortened = h.log.of('contextShortened');
    assert.ok(shortened.length >= 1);
    assert.match(shortened[0]?.text ?? '', /^Shortened \d+ outputs? so the conversation fits the model's context window \(3,000 tokens\)/);
    const last = server.chatRequests()[3];
    const userMessages = last?.messages.filter((m) => m.role === 'user').map(messageText) ?? [];
    const older = userMessages.slice(1, -1);
    assert.equal(older.length, 2);
    for (const text of older) assert.match(text, /characters cut to fit the model's context window|removed to fit the model's context window/);
    assert.equal(userMessages.at(-1)?.length, 'Observation:\n'.length + 3000, 'the newest output is whole');
    assert.equal(messageText(last?.messages[1] ?? { role: '' }), 'Print a lot.');
  });

  it("keeps each action's variables line when its output is shortened (the model is not told those variables again)", async () => {
    const big = (name: string): string => `<execute>\n${name} = "${name}" * 3000\nprint(${name})\n</execute>`;
    server.enqueue(reply.text(big('alpha')), reply.text(big('beta')), reply.text(big('gamma')), reply.text('Done.'));
    const log = new EventLog();
    const agent = new CodeActAgent({
      model: new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: KEY, model: 'm' }),
      runner: kernelRunner(kernel),
      approvals: new ScriptedApprovalGate(),
      events: log.sink,
      // The kernel's real variables, read with the same silent probe the chat uses.
      variables: async () => parseKernelStateProbe(streamTextOf((await kernel.execute(KERNEL_STATE_PROBE_CODE, { silent: true })).outputs))?.variables,
      options: { actionFormat: 'auto', contextWindowTokens: 3_000 },
    });
    const outcome = await agent.runTurn({ conversation: emptyConversation(), userText: 'Make three long strings.', systemPrompt: 'You act.' }, new AbortController().signal);
    assert.equal(outcome.reason, 'answered');
    assert.ok(log.of('contextShortened').length >= 1, 'older outputs were shortened');
    const observations = server.chatRequests()[3]?.messages.filter((m) => m.role === 'user').slice(1).map(messageText) ?? [];
    assert.equal(observations.length, 3);
    for (const [index, name] of ['alpha', 'beta', 'gamma'].entries()) {
      assert.match(observations[index] ?? '', new RegExp(`Variables this action created or changed:\\n- ${name}: str`), `the line for ${name} is still sent`);
    }
  });

  it('does not send a message too long for the window, and the chat goes on without it', async () => {
    server.enqueue(reply.text('Sure.'));
    const h = harness({ contextWindowTokens: 4_000 });
    const huge = await h.turn('x'.repeat(200_000));
    assert.equal(huge.reason, 'contextFull');
    assert.match(huge.message ?? '', /^This message was not sent: it is about [\d,]+ tokens, more than the model's context window allows \(4,000 tokens/);
    assert.equal(server.chatRequests().length, 0, 'nothing was sent');
    assert.deepEqual(huge.conversation.entries, [], 'the message is not kept for the model');
    const next = await h.turn('sorry, just say hi', huge.conversation);
    assert.equal(next.reason, 'answered');
    assert.equal(messageText(server.chatRequests()[0]?.messages.at(-1) ?? { role: '' }), 'sorry, just say hi');
  });

  it('a message refused as too long does not count its environment as told: the next message carries it', async () => {
    server.enqueue(reply.text('Hi.'));
    const h = harness({ contextWindowTokens: 4_000 });
    const environment = { kernelName: 'CodeAct Python', variables: [{ name: 'quarterly', type: 'DataFrame', summary: '4 rows' }] };
    const signal = new AbortController().signal;
    const huge = await h.agent.runTurn({ conversation: emptyConversation(), userText: 'x'.repeat(200_000), systemPrompt: 'You act.', environment }, signal);
    assert.equal(huge.reason, 'contextFull');
    await h.agent.runTurn({ conversation: huge.conversation, userText: 'say hi', systemPrompt: 'You act.', environment }, signal);
    assert.match(messageText(server.chatRequests()[0]?.messages.at(-1) ?? { role: '' }), /- quarterly: DataFrame — 4 rows/);
  });

  it('a throwing event listener does not break the loop', async () => {
    server.enqueue(reply.text('<execute>\nprint(1)\n</execute>'), reply.text('Done.'));
    const chatModel = new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: KEY, model: 'm' });
    const agent = new CodeActAgent({
      model: chatModel,
      runner: kernelRunner(kernel),
      approvals: new ScriptedApprovalGate(),
      events: () => {
        throw new Error('UI bug');
      },
      options: { actionFormat: 'auto', contextWindowTokens: 32_000 },
    });
    const outcome = await agent.runTurn({ conversation: emptyConversation(), userText: 'go', systemPrompt: 'S' }, new AbortController().signal);
    assert.equal(outcome.reason, 'answered');
  });
});
