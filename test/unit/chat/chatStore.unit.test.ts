import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatFileSystem, ChatStore, ChatStoreError, type ChatStoreErrorKind, nodeChatFileSystem, type StoredChat } from '../../../src/chat/chatStore';
import { sampleChat } from './chatFixtures';

/** Asserts that `promise` rejects with a ChatStoreError of `kind`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, kind: ChatStoreErrorKind): Promise<ChatStoreError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ChatStoreError, `expected a ChatStoreError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.detail);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

/** A file system that counts writes and can hold the next write until released. */
class ControlledFileSystem implements ChatFileSystem {
  writes: string[] = [];
  private held: { promise: Promise<void>; started: () => void } | undefined;
  failNextWrite: Error | undefined;

  /** Holds the next write once it has started; `started` resolves when it has. */
  holdNextWrite(): { release: () => void; started: Promise<void> } {
    let release = (): void => undefined;
    let started = (): void => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    this.held = { promise, started };
    return { release, started: startedPromise };
  }

  readdir = (dir: string): Promise<string[]> => nodeChatFileSystem.readdir(dir);
  readFile = (path: string): Promise<string> => nodeChatFileSystem.readFile(path);
  mkdir = (dir: string): Promise<void> => nodeChatFileSystem.mkdir(dir);
  rename = (from: string, to: string): Promise<void> => nodeChatFileSystem.rename(from, to);
  unlink = (path: string): Promise<void> => nodeChatFileSystem.unlink(path);
  versionOf = (path: string): Promise<string | undefined> => nodeChatFileSystem.versionOf(path);

  writeNewFile = async (path: string, data: string): Promise<void> => {
    this.writes.push(data);
    const held = this.held;
    this.held = undefined;
    if (held) {
      held.started();
      await held.promise;
    }
    const failure = this.failNextWrite;
    this.failNextWrite = undefined;
    if (failure) {
      // Like a full disk: part of the data reaches the temp file, then the write fails.
      await writeFile(path, data.slice(0, 10));
      throw failure;
    }
    await nodeChatFileSystem.writeNewFile(path, data);
  };
}

function titled(chat: StoredChat, title: string, updatedAt = chat.updatedAt): StoredChat {
  return { ...chat, title, updatedAt };
}

/** Lets already-settled promise callbacks run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('chat store', () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'codeact-chatstore-'));
    dir = join(root, 'chats');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips a chat through its own file, leaving no temp files', async () => {
    const store = new ChatStore(dir);
    const chat = sampleChat();
    await store.save(chat);
    assert.deepEqual(await readdir(dir), ['chat-1.json']);
    assert.deepEqual(await store.load('chat-1'), chat);
    assert.deepEqual(await new ChatStore(dir).load('chat-1'), chat);
    assert.deepEqual(await store.list(), { chats: [{ id: 'chat-1', title: 'Plot the data', updatedAt: chat.updatedAt }], problems: [] });
  });

  it('lists nothing for a folder not created yet, and says a missing chat is missing', async () => {
    const store = new ChatStore(dir);
    assert.deepEqual(await store.list(), { chats: [], problems: [] });
    const error = await rejectsWith(store.load('chat-9'), 'missing');
    assert.equal(error.chatId, 'chat-9');
  });

  it('lists newest first and ignores files that are not chats', async () => {
    const store = new ChatStore(dir);
    await store.save(sampleChat('old', 1000, 'Old'));
    await store.save(sampleChat('new', 3000, 'New'));
    await store.save(sampleChat('mid', 2000, 'Mid'));
    await writeFile(join(dir, '.new.123.1.abc.tmp'), 'partial');
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await writeFile(join(dir, 'bad name.json'), '{}');
    await mkdir(join(dir, 'sub'));
    const { chats, problems } = await store.list();
    assert.deepEqual(
      chats.map((c) => c.title),
      ['New', 'Mid', 'Old'],
    );
    assert.deepEqual(problems, []);
  });

  it('reports corrupt files without hiding the good ones', async () => {
    const reported: ChatStoreError[] = [];
    const store = new ChatStore(dir, { onError: (error) => reported.push(error) });
    await store.save(sampleChat('good-1', 1000));
    await store.save(sampleChat('good-2', 2000));
    await writeFile(join(dir, 'garbage.json'), '{"version": 1, "id": "gar');
    await writeFile(join(dir, 'future.json'), JSON.stringify({ ...sampleChat('future'), version: 2 }));
    await writeFile(join(dir, 'badentry.json'), JSON.stringify({ ...sampleChat('badentry'), entries: [{ kind: 'user', id: 'u1' }] }));
    await writeFile(join(dir, 'renamed.json'), JSON.stringify(sampleChat('someone-else')));

    const { chats, problems } = await store.list();
    assert.deepEqual(
      chats.map((c) => c.id),
      ['good-2', 'good-1'],
    );
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /badentry\.json: .*entries\[0\]\.text/);
    assert.match(problems.join('\n'), /future\.json: .*version is 2/);
    assert.match(problems.join('\n'), /garbage\.json: .*not valid JSON/);
    assert.match(problems.join('\n'), /renamed\.json: .*holds chat someone-else/);
    assert.deepEqual(reported.map((e) => e.kind).sort(), ['corrupt', 'corrupt', 'corrupt', 'corrupt']);

    for (const id of ['garbage', 'future', 'badentry', 'renamed']) {
      const error = await rejectsWith(store.load(id), 'corrupt');
      assert.equal(error.chatId, id);
      assert.match(error.message, /cannot be opened/);
    }
    assert.equal((await store.load('good-1')).id, 'good-1');
  });

  it('coalesces saves requested while a write is in flight into one more write of the latest state', async () => {
    const fs = new ControlledFileSystem();
    const store = new ChatStore(dir, { fileSystem: fs });
    const chat = sampleChat();
    const { release, started } = fs.holdNextWrite();
    const saves = [store.save(titled(chat, 'v0'))];
    await started;
    for (let i = 1; i <= 5; i++) saves.push(store.save(titled(chat, `v${i}`)));
    await tick();
    assert.equal(fs.writes.length, 1, 'only the first write has started');
    release();
    await Promise.all(saves);
    assert.equal(fs.writes.length, 2);
    assert.deepEqual(
      fs.writes.map((w) => (JSON.parse(w) as StoredChat).title),
      ['v0', 'v5'],
    );
    assert.equal((await store.load('chat-1')).title, 'v5');
  });

  it('makes a load wait for the pending save of the same chat', async () => {
    const fs = new ControlledFileSystem();
    const store = new ChatStore(dir, { fileSystem: fs });
    await store.save(titled(sampleChat(), 'before'));
    const { release, started } = fs.holdNextWrite();
    const saving = store.save(titled(sampleChat(), 'after'));
    const loading = store.load('chat-1');
    const listing = store.list();
    await started;
    release();
    await saving;
    assert.equal((await loading).title, 'after');
    assert.equal((await listing).chats[0]?.title, 'after');
  });

  it('flush() waits for every save in flight and queued (what deactivate waits for)', async () => {
    const fs = new ControlledFileSystem();
    const store = new ChatStore(dir, { fileSystem: fs });
    const { release, started } = fs.holdNextWrite();
    void store.save(titled(sampleChat('chat-a'), 'a1'));
    await started;
    void store.save(titled(sampleChat('chat-a'), 'a2'));
    void store.save(titled(sampleChat('chat-b'), 'b1'));
    let flushed = false;
    const flushing = store.flush().then(() => (flushed = true));
    await tick();
    assert.equal(flushed, false, 'a write is still held');
    release();
    await flushing;
    const onDisk = async (id: string): Promise<string> => (JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as StoredChat).title;
    assert.equal(await onDisk('chat-a'), 'a2');
    assert.equal(await onDisk('chat-b'), 'b1');
  });

  it('rejects a failed write with io, leaves the previous file intact and no temp file, and keeps saving', async () => {
    const fs = new ControlledFileSystem();
    const store = new ChatStore(dir, { fileSystem: fs });
    await store.save(titled(sampleChat(), 'good'));
    const before = await readFile(join(dir, 'chat-1.json'), 'utf8');
    fs.failNextWrite = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const error = await rejectsWith(store.save(titled(sampleChat(), 'lost')), 'io');
    assert.match(error.message, /could not save this chat: ENOSPC/);
    assert.equal(await readFile(join(dir, 'chat-1.json'), 'utf8'), before);
    assert.deepEqual(await readdir(dir), ['chat-1.json']);
    await store.save(titled(sampleChat(), 'later'));
    assert.equal((await store.load('chat-1')).title, 'later');
  });

  it('rejects with io when the folder is under a regular file (ENOTDIR), and lists that as a problem', async () => {
    await writeFile(join(root, 'file'), 'x');
    const store = new ChatStore(join(root, 'file', 'chats'));
    const error = await rejectsWith(store.save(sampleChat()), 'io');
    assert.match(error.detail, /ENOTDIR|EEXIST|ENOENT/);
    const { chats, problems } = await store.list();
    assert.deepEqual(chats, []);
    assert.equal(problems.length, 1);
  });

  it('rejects with io when the chat file is a folder, and leaves it alone', async () => {
    await mkdir(join(dir, 'chat-1.json', 'inside'), { recursive: true });
    const store = new ChatStore(dir);
    await rejectsWith(store.save(sampleChat()), 'io');
    assert.deepEqual(await readdir(join(dir, 'chat-1.json')), ['inside']);
    assert.deepEqual(await readdir(dir), ['chat-1.json']);
    await rejectsWith(store.load('chat-1'), 'io');
  });

  it('rejects a malformed chat as invalid without touching the saved one', async () => {
    const store = new ChatStore(dir);
    await store.save(sampleChat());
    const broken = { ...sampleChat(), entries: [{ kind: 'user', id: 'u1' }] } as unknown as StoredChat;
    const error = await rejectsWith(store.save(broken), 'invalid');
    assert.match(error.detail, /entries\[0\]\.text/);
    assert.deepEqual(await store.load('chat-1'), sampleChat());
  });

  it('saves different chats concurrently without interference', async () => {
    const store = new ChatStore(dir);
    const ids = Array.from({ length: 20 }, (_, i) => `chat-${i}`);
    await Promise.all(ids.flatMap((id, i) => [1, 2, 3].map((round) => store.save(titled(sampleChat(id, 1000 + i), `${id} round ${round}`)))));
    const { chats, problems } = await store.list();
    assert.deepEqual(problems, []);
    assert.equal(chats.length, 20);
    for (const id of ids) assert.equal((await store.load(id)).title, `${id} round 3`);
    assert.equal((await readdir(dir)).length, 20);
  });

  it('deletes a chat, drops a save of it not yet started, and accepts deleting a missing chat', async () => {
    const fs = new ControlledFileSystem();
    const store = new ChatStore(dir, { fileSystem: fs });
    const { release, started } = fs.holdNextWrite();
    const first = store.save(titled(sampleChat(), 'first'));
    await started;
    const second = store.save(titled(sampleChat(), 'second'));
    const deleting = store.delete('chat-1');
    release();
    await Promise.all([first, second, deleting]);
    assert.equal(fs.writes.length, 1);
    assert.deepEqual(await readdir(dir), []);
    await store.delete('chat-1');
    await rejectsWith(store.load('chat-1'), 'missing');
  });

  describe('two windows (two stores over one folder)', () => {
    it("a window that read a chat does not save over another window's later save of it", async () => {
      const windowA = new ChatStore(dir);
      const windowB = new ChatStore(dir);
      await windowA.save(titled(sampleChat(), 'started in A'));
      await windowB.load('chat-1');
      await windowB.save(titled(sampleChat(), 'went on in B'));
      const error = await rejectsWith(windowA.save(titled(sampleChat(), 'went on in A')), 'conflict');
      assert.equal(error.chatId, 'chat-1');
      assert.equal((await new ChatStore(dir).load('chat-1')).title, 'went on in B', "B's work is on disk");
      // B, whose save was the last, goes on saving.
      await windowB.save(titled(sampleChat(), 'more in B'));
      assert.equal((await new ChatStore(dir).load('chat-1')).title, 'more in B');
    });

    it('a window saves its own changes again and again, and after reading the other window\'s version it may save over it', async () => {
      const windowA = new ChatStore(dir);
      const windowB = new ChatStore(dir);
      for (const title of ['one', 'two', 'three']) await windowA.save(titled(sampleChat(), title));
      await windowB.load('chat-1');
      await windowB.save(titled(sampleChat(), 'from B'));
      await windowA.load('chat-1');
      await windowA.save(titled(sampleChat(), 'A after reading B'));
      assert.equal((await new ChatStore(dir).load('chat-1')).title, 'A after reading B');
    });

    it('listing chats does not count as reading them: a change made meanwhile still conflicts', async () => {
      const windowA = new ChatStore(dir);
      const windowB = new ChatStore(dir);
      await windowA.save(sampleChat());
      await windowB.load('chat-1');
      await windowB.save(titled(sampleChat(), 'from B'));
      await windowA.list();
      await rejectsWith(windowA.save(titled(sampleChat(), 'from A')), 'conflict');
    });

    it('flush() also waits for a save made when another failed (the conflict copy written while closing)', async () => {
      const windowA = new ChatStore(dir);
      const windowB = new ChatStore(dir);
      await windowA.save(sampleChat());
      await windowB.load('chat-1');
      await windowB.save(titled(sampleChat(), 'from B'));
      // What the controller does with a conflict: save the chat again under a new id.
      windowA.save(titled(sampleChat(), 'from A')).catch(() => windowA.save({ ...titled(sampleChat(), 'from A'), id: 'chat-copy' }));
      await windowA.flush();
      assert.equal((await new ChatStore(dir).load('chat-copy')).title, 'from A', 'written before flush() returned');
    });

    it('a chat deleted in another window is written again by the window still using it', async () => {
      const windowA = new ChatStore(dir);
      const windowB = new ChatStore(dir);
      await windowA.save(sampleChat());
      await windowB.delete('chat-1');
      await windowA.save(titled(sampleChat(), 'still here'));
      assert.equal((await windowB.load('chat-1')).title, 'still here');
    });
  });

  describe('rejects unsafe ids as invalid before touching the disk', () => {
    for (const id of ['../x', '../../etc/passwd', '..', 'a/b', 'a\\b', '', '.hidden', 'x.json', '/abs']) {
      it(JSON.stringify(id), async () => {
        const store = new ChatStore(dir);
        await rejectsWith(store.load(id), 'invalid');
        await rejectsWith(store.delete(id), 'invalid');
        await rejectsWith(store.save({ ...sampleChat(), id }), 'invalid');
        assert.deepEqual(await readdir(root), []);
      });
    }
  });
});
