import * as assert from 'node:assert/strict';
import { ChatStoreError, isValidChatId, parseStoredChat } from '../../../src/chat/chatStore';
import { sampleChat } from './chatFixtures';

/** A JSON copy of the sample with one change made by `edit`. */
function variant(edit: (chat: Record<string, unknown> & { entries: Record<string, unknown>[] }) => void): unknown {
  const chat = JSON.parse(JSON.stringify(sampleChat())) as Record<string, unknown> & { entries: Record<string, unknown>[] };
  edit(chat);
  return chat;
}

function corruptDetail(raw: unknown): string {
  try {
    parseStoredChat(raw);
  } catch (error) {
    assert.ok(error instanceof ChatStoreError);
    assert.equal(error.kind, 'corrupt');
    return error.detail;
  }
  assert.fail('expected a corrupt chat');
}

describe('stored chat', () => {
  describe('chat ids', () => {
    const valid = ['chat-1', 'chat-lq2x3-1a', 'A', 'a_b-C9', 'x'.repeat(128)];
    const invalid = [
      '',
      '../x',
      '..',
      '.',
      'a/b',
      'a\\b',
      '.hidden',
      '-rf',
      '_x',
      'a b',
      'a.json',
      'x'.repeat(129),
      'CON',
      'nul',
      'com1',
      'chat\u0000',
      'çhat',
      5,
      undefined,
      null,
    ];
    for (const id of valid) it(`accepts ${id.slice(0, 20)}`, () => assert.equal(isValidChatId(id), true));
    for (const id of invalid) it(`rejects ${JSON.stringify(id)}`, () => assert.equal(isValidChatId(id), false));
  });

  it('survives JSON persistence and validation unchanged', () => {
    const chat = sampleChat();
    assert.deepEqual(parseStoredChat(JSON.parse(JSON.stringify(chat))), chat);
  });

  it('accepts an unknown cost, written as absent or null', () => {
    const absent = parseStoredChat(variant((c) => (c['usage'] = { inputTokens: 0, outputTokens: 0 })));
    const nulled = parseStoredChat(variant((c) => (c['usage'] = { inputTokens: 0, outputTokens: 0, costUsd: null })));
    assert.deepEqual(absent.usage, { inputTokens: 0, outputTokens: 0, costUsd: undefined });
    assert.deepEqual(nulled.usage, absent.usage);
  });

  it("keeps a failed action's error summary (exception and the user's line)", () => {
    const error = { exception: "KeyError: 'revenue'", userFrame: "Cell In[3], line 2: sales['revenue']" };
    const chat = parseStoredChat(variant((c) => (c.entries[2]['preview'] = { text: 'tb', isError: true, error, images: [], truncated: false })));
    const action = chat.entries[2];
    assert.deepEqual(action?.kind === 'action' ? action.preview?.error : undefined, error);
  });

  it('accepts a chat without a notebook and drops unknown fields', () => {
    const chat = parseStoredChat(
      variant((c) => {
        delete c['notebookUri'];
        c['extra'] = 1;
        c.entries[0]['extra'] = 2;
      }),
    );
    assert.equal('notebookUri' in chat, false);
    assert.equal('extra' in chat, false);
    assert.deepEqual(chat.entries[0], { kind: 'user', id: 'u1', text: 'Plot the data' });
  });

  describe('reports malformed chats as corrupt, naming the bad field', () => {
    const cases: readonly (readonly [string, unknown, RegExp])[] = [
      ['not an object', 'hello', /chat is not an object/],
      ['an array', [], /chat is not an object/],
      ['null', null, /chat is not an object/],
      ['a newer version', variant((c) => (c['version'] = 2)), /version is 2/],
      ['no version', variant((c) => delete c['version']), /version is missing/],
      ['an unsafe id', variant((c) => (c['id'] = '../x')), /chat.id is not a valid chat id/],
      ['no title', variant((c) => delete c['title']), /chat.title is not a string/],
      ['a negative time', variant((c) => (c['createdAt'] = -1)), /chat.createdAt/],
      ['a time that is a string', variant((c) => (c['updatedAt'] = '2024')), /chat.updatedAt/],
      ['entries not a list', variant((c) => Object.assign(c, { entries: {} })), /chat.entries is not a list/],
      ['an entry of unknown kind', variant((c) => (c.entries[1] = { kind: 'shout', id: 'z', text: 'x' })), /entries\[1\].kind/],
      ['an entry without id', variant((c) => delete c.entries[0]?.['id']), /entries\[0\].id/],
      ['a user entry without text', variant((c) => delete c.entries[0]?.['text']), /entries\[0\].text/],
      ['an assistant entry without streaming', variant((c) => delete c.entries[1]?.['streaming']), /entries\[1\].streaming/],
      ['an action with an unknown status', variant((c) => (c.entries[2]['status'] = 'exploded')), /entries\[2\].status/],
      ['an action without code', variant((c) => delete c.entries[2]?.['code']), /entries\[2\].code/],
      ['an action with risks not strings', variant((c) => (c.entries[2]['risks'] = [1])), /entries\[2\].risks/],
      ['an action with a bad preview', variant((c) => (c.entries[2]['preview'] = { text: 1 })), /entries\[2\].preview.text/],
      ['an action with an error summary without its exception', variant((c) => (c.entries[2]['preview'] = { text: 't', isError: true, images: [], truncated: false, error: { userFrame: 'x' } })), /entries\[2\].preview.error.exception/],
      ['an action in an unknown language', variant((c) => (c.entries[2]['language'] = 'zsh')), /entries\[2\].language/],
      ['an action with a bad duration', variant((c) => (c.entries[2]['durationMs'] = 'slow')), /entries\[2\].durationMs/],
      ['an action without hasCell', variant((c) => delete c.entries[3]?.['hasCell']), /entries\[3\].hasCell/],
      ['a notice with an unknown level', variant((c) => (c.entries[4]['level'] = 'fatal')), /entries\[4\].level/],
      ['two entries with one id', variant((c) => (c.entries[1]['id'] = 'u1')), /entries\[1\].id repeats/],
      ['a bad conversation', variant((c) => (c['conversation'] = { version: 1, entries: [{ kind: 'request' }] })), /chat.conversation/],
      ['no usage', variant((c) => delete c['usage']), /chat.usage is not an object/],
      ['a bad token count', variant((c) => (c['usage'] = { inputTokens: 'many', outputTokens: 0 })), /usage.inputTokens/],
      ['allowAllInChat not boolean', variant((c) => (c['allowAllInChat'] = 'yes')), /chat.allowAllInChat/],
      ['a notebook that is not a string', variant((c) => (c['notebookUri'] = 5)), /chat.notebookUri/],
    ];
    for (const [name, raw, detail] of cases) it(name, () => assert.match(corruptDetail(raw), detail));
  });

  it('gives a user-facing message and keeps the id when it is readable', () => {
    try {
      parseStoredChat(variant((c) => (c['version'] = 9)));
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof ChatStoreError);
      assert.equal(error.chatId, 'chat-1');
      assert.match(error.message, /cannot be opened/);
    }
  });
});
