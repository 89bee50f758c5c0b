import * as assert from 'node:assert/strict';
import { ChatStore } from '../../src/chat/chatStore';
import type { CodeActApi } from '../../src/extension';
import { ScriptedModelServer, reply } from '../model/scriptedModelServer';
import { activateCodeAct, createNotebook, useScriptedModel } from './helpers';

/**
 * Chats live in the extension's global storage, so every workspace lists them. What the user
 * granted in one workspace ("Allow all in this chat", the notebook it works in) must not carry
 * over to another.
 */
describe('Past chats across workspaces', function () {
  this.timeout(60_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;

  before(async () => {
    api = await activateCodeAct();
    model = await useScriptedModel();
  });

  after(async () => {
    await model.close();
    await api.chat.newChat();
  });

  /** A chat with "Allow all" on, bound to a notebook of this workspace, saved on disk. */
  async function grantedChat(): Promise<string> {
    await api.chat.newChat();
    const notebook = await createNotebook('history.ipynb', []);
    model.setScript([reply.text('Noted.')]);
    await api.chat.sendWithNotebook('remember this', notebook.uri);
    await api.chat.handleWebviewMessage({ type: 'setAllowAllInChat', enabled: true });
    const id = api.chat.currentSession.id;
    const saved = await api.chats.load(id);
    assert.equal(saved.allowAllInChat, true);
    assert.equal(saved.notebookUri, notebook.uri.toString());
    return id;
  }

  it('reopened in the same workspace, a chat keeps "Allow all" and its notebook', async () => {
    const id = await grantedChat();
    await api.chat.newChat();
    await api.chat.openChat(id);
    assert.equal(api.chat.currentSession.id, id);
    assert.equal(api.chat.currentSession.allowAllInChat, true);
    assert.match(api.chat.currentSession.notebookUri ?? '', /history\.ipynb$/);
  });

  it('opened in another workspace, a chat keeps its transcript but asks again and forgets the other notebook', async () => {
    const id = await grantedChat();
    await api.chat.newChat();
    // The same chat as another workspace would have left it.
    const saved = await api.chats.load(id);
    await api.chats.save({ ...saved, workspace: 'file:///home/someone/other-project', notebookUri: 'file:///home/someone/other-project/train.ipynb' });
    await api.chat.openChat(id);
    const session = api.chat.currentSession;
    assert.equal(session.id, id);
    assert.ok(session.snapshot({ notebook: undefined, kernel: undefined, model: '' }, [], true).entries.some((e) => e.kind === 'user' && e.text === 'remember this'), 'the transcript is back');
    assert.equal(session.allowAllInChat, false, '"Allow all" was given in the other workspace');
    assert.equal(session.notebookUri, undefined, "the other workspace's notebook is not this chat's target here");
  });

  it('shows an action or a reply cut off by a reload as ended, not as still running', async () => {
    const id = await grantedChat();
    await api.chat.newChat();
    const saved = await api.chats.load(id);
    const cutOff = [
      ...saved.entries,
      { kind: 'assistant' as const, id: 'reply-cut', text: 'Let me', streaming: true },
      { kind: 'action' as const, id: 'action-cut', proposedCode: 'train()', code: 'train()', status: 'running' as const, risks: [], hasCell: true },
      { kind: 'action' as const, id: 'action-waiting', proposedCode: 'plot()', code: 'plot()', status: 'pending' as const, risks: [], hasCell: false },
    ];
    await api.chats.save({ ...saved, entries: cutOff });
    await api.chat.openChat(id);
    const entries = api.chat.currentSession.snapshot({ notebook: undefined, kernel: undefined, model: '' }, [], true).entries;
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const cutReply = byId.get('reply-cut');
    const action = byId.get('action-cut');
    const waiting = byId.get('action-waiting');
    assert.equal(cutReply?.kind === 'assistant' && cutReply.streaming, false, 'the reply no longer streams');
    assert.equal(action?.kind === 'action' ? action.status : '', 'cancelled', 'the action no longer runs');
    assert.equal(waiting?.kind === 'action' ? waiting.status : '', 'pending', 'an approval still waits for the user');
  });

  it('deletes a past chat from disk and from the list; deleting the open chat starts a new one', async () => {
    const id = await grantedChat();
    await api.chat.deleteChat(id, { confirmed: true });
    await assert.rejects(api.chats.load(id), /no longer exists/);
    assert.notEqual(api.chat.currentSession.id, id, 'a new chat took its place');
    const listed = await api.chats.list();
    assert.equal(listed.chats.some((chat) => chat.id === id), false);
    await api.chat.deleteChat('not-a-chat-of-ours', { confirmed: true });
  });

  it('the same chat changed in two windows: both sides are kept, this window goes on in a copy', async () => {
    const id = await grantedChat();
    // Another window (its own store over the same folder) opens the chat and writes in it.
    const otherWindow = new ChatStore(api.chats.dir);
    const theirs = await otherWindow.load(id);
    await otherWindow.save({ ...theirs, entries: [...theirs.entries, { kind: 'user', id: 'user-other-window', text: 'written in the other window' }], updatedAt: Date.now() });
    model.setScript([reply.text('Going on here.')]);
    await api.chat.send('written in this window');
    await api.chats.flush();
    const copy = api.chat.currentSession;
    assert.notEqual(copy.id, id, 'this window goes on under a new id');
    assert.match(copy.title, /\(copy\)$/);
    const texts = (chat: { entries: readonly { kind: string; text?: string }[] }) => chat.entries.map((entry) => entry.text ?? '');
    const original = await api.chats.load(id);
    assert.ok(texts(original).includes('written in the other window'), "the other window's message is still in the chat");
    assert.ok(!texts(original).includes('written in this window'), 'this window did not save over it');
    const saved = await api.chats.load(copy.id);
    assert.ok(texts(saved).includes('written in this window') && texts(saved).includes('Going on here.'), "this window's turn is in the copy");
    assert.ok(texts(saved).some((text) => /changed in another window/.test(text)), 'the copy says why it is a copy');
    const listed = (await api.chats.list()).chats.map((chat) => chat.id);
    assert.ok(listed.includes(id) && listed.includes(copy.id), 'Past chats lists both');
  });
});
