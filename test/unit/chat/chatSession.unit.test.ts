import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatSession } from '../../../src/chat/chatSession';
import { ChatStore } from '../../../src/chat/chatStore';

describe('ChatSession: what it saves always saves', () => {
  let dir: string;
  let store: ChatStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codeact-session-'));
    store = new ChatStore(dir);
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  function session(): ChatSession {
    return new ChatSession({ post: () => undefined, changed: () => undefined }, 'file:///work');
  }

  it('keeps saving after a server reported nonsense usage and the clock stepped back', async () => {
    const chat = session();
    chat.add({ kind: 'user', id: 'u1', text: 'hello' });
    chat.addUsage(Number('many'), -5, Number.NaN);
    chat.addUsage(10, 20, 0.5);
    chat.add({ kind: 'action', id: 'a1', proposedCode: 'x', code: 'x', status: 'running', risks: [], hasCell: true });
    chat.replace({ kind: 'action', id: 'a1', proposedCode: 'x', code: 'x', status: 'ran', risks: [], hasCell: true, durationMs: -1_500 });
    await store.save(chat.toStored());
    const saved = await store.load(chat.id);
    assert.deepEqual(saved.usage, { inputTokens: 10, outputTokens: 20, costUsd: 0.5 });
    const action = saved.entries.find((entry) => entry.id === 'a1');
    assert.equal(action?.kind === 'action' ? action.durationMs : undefined, 0);
  });

  it('remembers that some usage was estimated, across a save', async () => {
    const chat = session();
    chat.add({ kind: 'user', id: 'u1', text: 'hi' });
    chat.addUsage(100, 10, undefined);
    assert.equal(chat.usage.estimated, undefined);
    chat.addUsage(2_000, 50, 0.01, true);
    chat.addUsage(100, 10, undefined);
    assert.deepEqual(chat.usage, { inputTokens: 2_200, outputTokens: 70, costUsd: 0.01, estimated: true });
    await store.save(chat.toStored());
    assert.equal((await store.load(chat.id)).usage.estimated, true);
  });

  it('goes on as a copy under a new id, keeping the conversation id its cells are marked with', async () => {
    const chat = session();
    chat.add({ kind: 'user', id: 'u1', text: 'plot the sales' });
    const first = chat.id;
    assert.equal(chat.conversationId, first);
    assert.equal(chat.continueAsCopy('changed in another window'), first);
    assert.notEqual(chat.id, first);
    assert.equal(chat.conversationId, first, 'cells written before the copy still belong to it');
    assert.equal(chat.title, 'plot the sales (copy)');
    assert.deepEqual(chat.lastEntry && { kind: chat.lastEntry.kind, text: 'text' in chat.lastEntry ? chat.lastEntry.text : '' }, { kind: 'notice', text: 'changed in another window' });
    await store.save(chat.toStored());
    const reopened = new ChatSession({ post: () => undefined, changed: () => undefined }, 'file:///work', await store.load(chat.id));
    assert.equal(reopened.title, 'plot the sales (copy)');
    assert.equal(reopened.conversationId, first);
    // A copy of the copy still belongs to the first conversation.
    reopened.continueAsCopy('again');
    assert.equal(reopened.conversationId, first);
  });
});
