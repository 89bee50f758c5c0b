/**
 * The CodeAct loop with a reasoning model that thinks in its content (`<think>…</think>`, as
 * Qwen3 and DeepSeek-R1 do behind servers without a reasoning parser): scripted over real HTTP,
 * code run in the real kernel.
 */
import * as assert from 'node:assert/strict';
import { CodeActAgent, type CodeActAgentOptions, type TurnOutcome } from '../../../src/agent/codeActAgent';
import { emptyConversation } from '../../../src/agent/conversation';
import type { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { OpenAIChatModel } from '../../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../../src/llm/retryPolicy';
import { messageText, reply, type ScriptedModelServer, startScriptedModelServer } from '../../model/scriptedModelServer';
import { EventLog, kernelRunner, ScriptedApprovalGate, startKernel } from './agentTestKit';

describe('CodeAct loop: reasoning models that think in the reply', function () {
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

  async function turn(userText: string, options: Partial<CodeActAgentOptions> = {}, modelId = 'qwen3:8b'): Promise<{ outcome: TurnOutcome; log: EventLog; ran: string[] }> {
    const log = new EventLog();
    const runner = kernelRunner(kernel);
    const model = new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: undefined, model: modelId, retryPolicy: { ...DEFAULT_RETRY_POLICY, initialDelayMs: 20 } });
    const agent = new CodeActAgent({
      model,
      runner,
      approvals: new ScriptedApprovalGate(),
      events: log.sink,
      options: { actionFormat: 'auto', contextWindowTokens: 32_000, ...options },
    });
    const outcome = await agent.runTurn({ conversation: emptyConversation(), userText, systemPrompt: 'You are CodeAct.' }, new AbortController().signal);
    return { outcome, log, ran: runner.ran };
  }

  /** Every message of every request, as text. */
  function everythingSent(): string {
    return server
      .chatRequests()
      .flatMap((body) => body.messages.map(messageText))
      .join('\n');
  }

  it('runs nothing from a thought the </execute> stop sequence cut, asks for the action after </think>, and stops sending the stop sequence', async () => {
    server.enqueue(
      // The server stops at the first </execute>, which is inside the thought.
      reply.text("<think>\nThe user wants the files. I could run <execute>import os; print(os.listdir('/'))</execute>, but only the working folder matters.\n</think>\n<execute>\nprint('never')\n</execute>"),
      reply.text(
        "<think>\nRight, act after thinking: <execute>print('inside')</execute> stays in here.\n</think>\n\nListing the working folder.\n<execute>\nprint('listed')\n</execute>\nObservation: (made up)",
        { chunkSize: 5, delayMs: 3 },
      ),
      reply.text('<think>It printed listed.</think>\n\nThe folder is listed.'),
    );
    const { outcome, log, ran } = await turn('List the files.');

    assert.equal(outcome.reason, 'answered');
    assert.deepEqual(ran, ["print('listed')"]);
    const [first, second, third] = server.chatRequests();
    assert.deepEqual(first?.stop, ['</execute>']);
    assert.equal(second?.stop, undefined, 'a thinking model would be stopped mid-thought again');
    assert.equal(third?.stop, undefined);
    assert.match(messageText(second?.messages.at(-1) ?? { role: '' }), /^Your reply ended inside your <think> block, so there was no answer and nothing ran/);
    assert.equal(server.requests[1]?.clientDisconnected, true, 'the agent itself ended the stream after the action');

    // The thought is never shown, never kept, never sent back.
    assert.deepEqual(log.shownProse(), ['', 'Listing the working folder.\n', 'The folder is listed.']);
    assert.deepEqual(log.of('replyFinished').map((e) => e.prose), ['', 'Listing the working folder.', 'The folder is listed.']);
    assert.doesNotMatch(everythingSent(), /The user wants the files|os\.listdir|stays in here|It printed listed/);
    assert.deepEqual(
      outcome.conversation.entries.flatMap((e) => (e.kind === 'reply' ? [e.text] : [])),
      ['', "Listing the working folder.\n<execute>\nprint('listed')\n</execute>", 'The folder is listed.'],
    );
    assert.match(log.of('notice')[0]?.text ?? '', /ended while it was still thinking/);
  });

  it('a model that never finishes thinking ends the turn at the failure limit, having run nothing', async () => {
    const endless = reply.text('<think>\nLet me consider <execute>import shutil</execute> and more and more', { finishReason: 'length', honourStop: false });
    server.enqueue(endless, endless, endless, reply.text('never requested'));
    const { outcome, ran } = await turn('Think hard.');
    assert.equal(outcome.reason, 'consecutiveFailures');
    assert.deepEqual(ran, []);
    assert.equal(server.remaining(), 1);
    assert.match(outcome.conversation.entries.at(-1)?.text ?? '', /^Your reply was cut off while you were still thinking \(the output length limit was reached\)/);
  });

  it('a fenced Python block inside the thought is not the action in the markdown format', async () => {
    server.enqueue(reply.text('<think>\nMaybe:\n```python\nprint("from the thought")\n```\nNo, no code needed.\n</think>\n6 × 7 = 42.'));
    const { outcome, log, ran } = await turn('6 times 7?', { actionFormat: 'markdown' });
    assert.equal(outcome.reason, 'answered');
    assert.deepEqual(ran, []);
    assert.deepEqual(log.shownProse(), ['6 × 7 = 42.']);
    assert.equal(outcome.conversation.entries.at(-1)?.text, '6 × 7 = 42.');
  });

  describe('models whose template opens the thought in the prompt (the reply only closes it)', () => {
    it('runs nothing the model mused about in its thought, and runs the action after </think> (deepseek-r1)', async () => {
      server.enqueue(
        reply.text(
          "Okay, the user wants the files. I could run ```python\nprint('mused')\n``` but that is not it.\n</think>\n\nHere is the listing:\n```python\nprint('listed')\n```\nObservation: (made up)",
          { chunkSize: 5, delayMs: 2 },
        ),
        reply.text('It printed listed, so I am done.\n</think>\n\nThe folder is listed.', { chunkSize: 5 }),
      );
      const { outcome, log, ran } = await turn('List the files.', {}, 'deepseek-r1:14b');

      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(ran, ["print('listed')"]);
      const [first, second] = server.chatRequests();
      assert.equal(first?.stop, undefined, 'a model known to think goes without the stop sequence from the start');
      assert.equal(second?.stop, undefined);
      assert.equal(server.requests[0]?.clientDisconnected, true, 'the agent ended the stream after the real action');
      assert.deepEqual(log.shownProse(), ['Here is the listing:\n', 'The folder is listed.']);
      assert.equal(log.of('replyReset').length, 0);
      assert.doesNotMatch(everythingSent(), /mused|the user wants the files|so I am done/);
      assert.deepEqual(
        outcome.conversation.entries.flatMap((e) => (e.kind === 'reply' ? [e.text] : [])),
        ["Here is the listing:\n```python\nprint('listed')\n```", 'The folder is listed.'],
      );
    });

    it('streams at once when the server sends the reasoning apart (reasoning_content), and keeps the stop sequence after', async () => {
      server.enqueue(
        { type: 'completion', reasoning: "I could run <execute>print('mused')</execute>, no.", text: "Listing.\n<execute>\nprint('apart')\n</execute>\nObservation: (made up, never read)", chunkSize: 6, delayMs: 2 },
        reply.text('Listed.'),
      );
      const { outcome, log, ran } = await turn('List the files.', {}, 'deepseek-r1:14b');
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(ran, ["print('apart')"]);
      assert.equal(server.requests[0]?.clientDisconnected, true, 'the agent ended the stream after the action, not at its end');
      assert.deepEqual(log.shownProse(), ['Listing.\n', 'Listed.']);
      const [first, second] = server.chatRequests();
      assert.equal(first?.stop, undefined, 'the name alone says it may think in the text');
      assert.deepEqual(second?.stop, ['</execute>'], 'seen reasoning apart, the stop sequence is safe again');
    });

    it('loses nothing when such a model does not think after all: its reply shows and runs once it ends', async () => {
      server.enqueue(reply.text("Listing.\n```python\nprint('plain')\n```\n"), reply.text('Listed.'));
      const { outcome, log, ran } = await turn('List the files.', {}, 'qwq:32b');
      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(ran, ["print('plain')"]);
      assert.deepEqual(log.shownProse(), ['Listing.\n', 'Listed.']);
    });

    it('learns it from a stray </think> of a model not known to think, and reads its later replies as starting in a thought', async () => {
      server.enqueue(
        reply.text('The user wants 6 times 7. I will compute it.\n</think>\n\nComputing.\n<execute>\nprint(6 * 7)\n</execute>', { chunkSize: 5, delayMs: 2 }),
        reply.text("It printed 42. I could also run ```python\nprint('mused')\n``` to double-check, but no.\n</think>\n\n6 × 7 = 42.", { chunkSize: 5 }),
      );
      const { outcome, log, ran } = await turn('6 times 7?', {}, 'local-reasoner');

      assert.equal(outcome.reason, 'answered');
      assert.deepEqual(ran, ['print(6 * 7)']);
      const [first, second] = server.chatRequests();
      assert.deepEqual(first?.stop, ['</execute>']);
      assert.equal(second?.stop, undefined, 'once seen thinking, the model is not stopped mid-thought');
      // The first reply's thought streamed as prose until the stray tag, then was withdrawn.
      assert.equal(log.of('replyReset').length, 1);
      assert.deepEqual(log.shownProse(), ['Computing.\n', '6 × 7 = 42.']);
      assert.doesNotMatch(everythingSent(), /I will compute it|mused|double-check/);
      assert.equal(outcome.conversation.entries.at(-1)?.text, '6 × 7 = 42.');
    });
  });
});
