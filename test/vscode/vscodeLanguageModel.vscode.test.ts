import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { agentCellMarker } from '../../src/kernel/notebook/notebookCellRunner';
import { ScriptedModelServer, messageText, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import { activateCodeAct, chatActions, chatEntries, createNotebook, waitFor } from './helpers';

const SCRIPTED_LM = 'codeact-test.scripted-lm';


function agentCellOutputs(notebook: vscode.NotebookDocument): string[] {
  const decoder = new TextDecoder();
  return notebook
    .getCells()
    .filter((cell) => agentCellMarker(cell) !== undefined)
    .map((cell) => cell.outputs.flatMap((o) => o.items).map((item) => decoder.decode(item.data)).join('\n'));
}

/**
 * The "vscode-lm" provider: CodeAct asks VS Code for a model (`vscode.lm.selectChatModels`)
 * and sends its requests through VS Code. The model here is offered by a fixture extension
 * (test/fixtures/scripted-lm) through the same proposed API that Copilot uses, and forwards
 * every request to the scripted model server over HTTP.
 */
describe('A model that VS Code offers (Language Model API), in the CodeAct loop', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  const codeact = () => vscode.workspace.getConfiguration('codeact');
  const global = vscode.ConfigurationTarget.Global;

  before(async function () {
    const fixture = vscode.extensions.getExtension(SCRIPTED_LM);
    assert.ok(fixture, `${SCRIPTED_LM} is not loaded: the runner installs it from test/fixtures`);
    await fixture.activate();
    api = await activateCodeAct();
    model = await startScriptedModelServer();
    await vscode.workspace.getConfiguration('scriptedLm').update('baseUrl', model.baseUrl, global);
    await codeact().update('provider', 'vscode-lm', global);
    await codeact().update('model', 'scripted-lm', global);
    await codeact().update('autoApprove', true, global);
  });

  after(async () => {
    for (const key of ['provider', 'model', 'autoApprove', 'actionFormat']) await codeact().update(key, undefined, global);
    await model.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    await api.chat.newChat();
    model.reset();
  });

  it('is found by VS Code and debugs a script: the real NameError goes back, the fix runs, the answer shows', async () => {
    const [offered] = await vscode.lm.selectChatModels({ family: 'scripted-lm' });
    assert.equal(offered?.vendor, 'codeact-test', 'VS Code lists the fixture model');
    await codeact().update('actionFormat', 'tags', global);
    const notebook = await createNotebook('lm-self-debug.ipynb', []);
    model.setScript([
      reply.text("Let me look.\n<execute>\ntotal = 6 * 7\nprint(totl)\n</execute>\nThis text after the action is never shown."),
      reply.text('A typo.\n<execute>\nprint(total)\n</execute>'),
      reply.text('The answer is **42**.'),
    ]);
    await api.chat.send('what is six times seven?');

    const requests = model.chatRequests();
    assert.equal(requests.length, 3);
    const first = requests[0].messages;
    assert.ok(first.every((m) => m.role === 'user' || m.role === 'assistant'), 'the Language Model API has no system role');
    assert.match(messageText(first[0]), /<execute>/, 'the system prompt goes first, as a user message');
    assert.match(messageText(first.at(-1)!), /six times seven/);
    assert.match(messageText(requests[1].messages.at(-1)!), /NameError: name 'totl' is not defined/);
    assert.match(messageText(requests[2].messages.at(-1)!), /42/);
    assert.deepEqual(chatActions(api).map((a) => a.status), ['autoRan', 'autoRan']);
    await waitFor('both cells to show their outputs', () => {
      const outputs = agentCellOutputs(notebook);
      return outputs.length === 2 && /NameError/.test(outputs[0]) && /^42$/m.test(outputs[1]) ? outputs : undefined;
    });
    const entries = chatEntries(api);
    const last = entries.at(-1);
    assert.equal(last?.kind === 'assistant' ? last.text : '', 'The answer is **42**.');
    const shown = entries.map((entry) => (entry.kind === 'assistant' ? entry.text : '')).join('\n');
    assert.doesNotMatch(shown, /never shown/, 'the reply is cut after its action, as with a stop sequence');
  });

  it('runs an execute_python tool call and returns its output as the tool result', async () => {
    await codeact().update('actionFormat', 'tools', global);
    const notebook = await createNotebook('lm-tools.ipynb', []);
    model.setScript([reply.toolCall("print('from a tool call', 2 ** 5)", { id: 'call_lm_1' }), reply.text('It printed 32.')]);
    await api.chat.send('use the tool');
    const requests = model.chatRequests();
    assert.equal(requests.length, 2);
    const tools = requests[0].tools ?? [];
    assert.deepEqual(tools.map((tool) => tool.function.name), ['execute_python'], 'the tool reaches the model through VS Code');
    const result = requests[1].messages.find((m) => m.role === 'tool');
    assert.equal(result?.tool_call_id, 'call_lm_1');
    assert.match(result ? messageText(result) : '', /from a tool call 32/);
    const call = requests[1].messages.find((m) => m.role === 'assistant' && m.tool_calls);
    assert.match(call?.tool_calls?.[0]?.function.arguments ?? '', /2 \*\* 5/);
    assert.match(agentCellOutputs(notebook)[0] ?? '', /from a tool call 32/);
  });

  it('Stop ends the turn at once even while the model sends nothing, and the chat goes on', async () => {
    await codeact().update('actionFormat', 'tags', global);
    // The model accepts the request, then stays silent for 15 s before its first word.
    model.setScript([reply.text('late words', { chunks: ['late ', 'words'], delayMs: 15_000 }), reply.text('Here again.')]);
    const turn = api.chat.send('are you stuck?');
    await waitFor('the request to reach the model', () => model.chatRequests().length === 1 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = Date.now();
    api.chat.stop();
    await turn;
    assert.ok(Date.now() - stopped < 3_000, `Stop took ${Date.now() - stopped} ms`);
    await api.chat.send('hello again');
    const last = chatEntries(api).at(-1);
    assert.equal(last?.kind === 'assistant' ? last.text : '', 'Here again.');
  });
});
