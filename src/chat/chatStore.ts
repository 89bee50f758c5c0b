/**
 * Past chats on disk: one JSON file per chat, `<id>.json`, in a folder the host chooses (the
 * extension's global storage, so chats follow the user across workspaces).
 *
 * Writes are atomic (a temp file in the same folder, flushed, then renamed over the old file),
 * so a crash or a full disk leaves the previous version intact. Writes of one chat are
 * serialized and coalesced: while one is in flight, further saves only replace the state to
 * write next, so a burst of changes costs two writes, not one per change. Reads wait for
 * pending writes of the same chat, so a load always sees the last save.
 *
 * Every VS Code window has its own store over the same folder. A window saves over a chat only
 * if the file is still the version it last read or wrote; when another window changed it in
 * between, the save fails with `conflict` and the file keeps the other window's work.
 *
 * Only `node:fs/promises` (no `vscode`): the store is tested against real temp folders.
 */
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatSummary } from '../shared/protocol';
import { ChatStoreError, isValidChatId, parseStoredChat, type StoredChat } from './storedChat';

export { ChatStoreError, isValidChatId, parseStoredChat, STORED_CHAT_VERSION, type ChatStoreErrorKind, type StoredChat } from './storedChat';

/** The file operations the store uses; tests wrap them to count writes or inject failures. */
export interface ChatFileSystem {
  readdir(dir: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
  /** Creates the folder and its parents if needed. */
  mkdir(dir: string): Promise<void>;
  /** Writes a new file and flushes it to disk before resolving. */
  writeNewFile(path: string, data: string): Promise<void>;
  /** Replaces `to` with `from` atomically. */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /**
   * What tells this version of a file from any other (undefined when there is none). Every save
   * renames a new file into place, so the inode alone changes with each write, by any window.
   */
  versionOf(path: string): Promise<string | undefined>;
}

export const nodeChatFileSystem: ChatFileSystem = {
  readdir: (dir) => fsp.readdir(dir),
  readFile: (path) => fsp.readFile(path, 'utf8'),
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { recursive: true });
  },
  writeNewFile: async (path, data) => {
    // 'wx': a temp name never overwrites anything; 0o600: chats may hold private data.
    const handle = await fsp.open(path, 'wx', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  versionOf: async (path) => {
    try {
      const stat = await fsp.stat(path);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  },
};

export interface ChatStoreOptions {
  /** Told about each file `list()` could not read, with the typed error (for the log). */
  readonly onError?: (error: ChatStoreError) => void;
  readonly fileSystem?: ChatFileSystem;
}

export interface ChatListing {
  /** Every readable chat, newest first. */
  readonly chats: readonly ChatSummary[];
  /** One line per chat file that could not be read, naming it and what is wrong (for the log). */
  readonly problems: readonly string[];
}

type Operation = { readonly kind: 'save'; readonly chat: StoredChat } | { readonly kind: 'delete' };

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The writes of one chat: the one running and the one to run next (which later calls replace). */
interface Queue {
  running: Promise<void> | undefined;
  next: { operation: Operation; readonly waiters: Waiter[] } | undefined;
}

/** How many chat files `list()` reads at once. */
const READ_CONCURRENCY = 8;

let tempCounter = 0;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalidId(id: unknown): ChatStoreError {
  return new ChatStoreError('invalid', 'That chat id is not valid.', undefined, `rejected chat id ${JSON.stringify(id)?.slice(0, 80) ?? typeof id}`);
}

export class ChatStore {
  private readonly fs: ChatFileSystem;
  private readonly queues = new Map<string, Queue>();
  /** Per chat, the version of its file this window last read or wrote (undefined: not known). */
  private readonly knownVersions = new Map<string, string | undefined>();

  /** `dir` is created on the first save; a missing folder lists as no chats. */
  constructor(
    /** The folder of chat files (every window of this VS Code uses the same one). */
    readonly dir: string,
    private readonly options: ChatStoreOptions = {},
  ) {
    this.fs = options.fileSystem ?? nodeChatFileSystem;
  }

  /** Every chat's summary, newest first. Never throws: unreadable files become `problems`. */
  async list(): Promise<ChatListing> {
    await this.flush();
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { chats: [], problems: [] };
      const failure = new ChatStoreError('io', 'CodeAct could not list the saved chats.', undefined, `reading ${this.dir}: ${describe(error)}`, { cause: error });
      this.options.onError?.(failure);
      return { chats: [], problems: [failure.detail] };
    }
    // Temp files (`.<id>…tmp`) and anything else not named like a chat are not chats.
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).filter(isValidChatId);
    const chats: ChatSummary[] = [];
    const problems: string[] = [];
    await forEachLimited(ids, READ_CONCURRENCY, async (id) => {
      try {
        const chat = await this.read(id);
        chats.push({ id: chat.id, title: chat.title, updatedAt: chat.updatedAt });
      } catch (error) {
        // A chat deleted between readdir and read is simply gone.
        if (error instanceof ChatStoreError && error.kind === 'missing') return;
        const failure = error instanceof ChatStoreError ? error : new ChatStoreError('io', 'CodeAct could not read a saved chat.', id, describe(error), { cause: error });
        this.options.onError?.(failure);
        problems.push(`${id}.json: ${failure.detail}`);
      }
    });
    chats.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
    problems.sort();
    return { chats, problems };
  }

  /** Resolves when every save and delete queued so far has finished (before the extension stops). */
  async flush(): Promise<void> {
    // A save can lead to another: a conflict is saved again as a copy, from the failed save's
    // handler. A few rounds catch those without waiting forever for a chat still streaming.
    for (let round = 0; round < 3 && this.queues.size > 0; round++) {
      await Promise.all([...this.queues.keys()].map((id) => this.settled(id)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Reads one chat, after any save of it still pending. Rejects with a ChatStoreError. */
  async load(id: string): Promise<StoredChat> {
    if (!isValidChatId(id)) throw invalidId(id);
    await this.settled(id);
    // Noted before reading: a write by another window in between makes a later save of ours
    // fail as a conflict (nothing lost) rather than overwrite what we never saw.
    const version = await this.fs.versionOf(this.pathOf(id)).catch(() => undefined);
    const chat = await this.read(id);
    this.knownVersions.set(id, version);
    return chat;
  }

  /**
   * Saves a chat atomically. Resolves once this state (or a later one that replaced it) is on
   * disk; rejects with a ChatStoreError (`invalid` or `io`) and leaves the previous file as it
   * was. The chat is validated and serialized when its write starts, not when save is called.
   */
  save(chat: StoredChat): Promise<void> {
    if (!isValidChatId(chat.id)) return Promise.reject(invalidId(chat.id));
    return this.enqueue(chat.id, { kind: 'save', chat });
  }

  /** Deletes a chat (and drops a save of it not yet started). Deleting a missing chat is fine. */
  delete(id: string): Promise<void> {
    if (!isValidChatId(id)) return Promise.reject(invalidId(id));
    return this.enqueue(id, { kind: 'delete' });
  }

  private pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async read(id: string): Promise<StoredChat> {
    let text: string;
    try {
      text = await this.fs.readFile(this.pathOf(id));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new ChatStoreError('missing', 'This chat no longer exists.', id, `${this.pathOf(id)} does not exist`, { cause: error });
      throw new ChatStoreError('io', 'CodeAct could not read this chat.', id, `reading ${this.pathOf(id)}: ${describe(error)}`, { cause: error });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ChatStoreError('corrupt', 'This chat’s file is damaged, so it cannot be opened.', id, `${this.pathOf(id)} is not valid JSON: ${describe(error)}`, { cause: error });
    }
    let chat: StoredChat;
    try {
      chat = parseStoredChat(raw);
    } catch (error) {
      if (!(error instanceof ChatStoreError)) throw error;
      throw new ChatStoreError(error.kind, error.message, id, `${this.pathOf(id)}: ${error.detail}`, { cause: error });
    }
    // A file renamed by hand would otherwise open as one chat and save as another.
    if (chat.id !== id) throw new ChatStoreError('corrupt', 'This chat’s file is damaged, so it cannot be opened.', id, `${this.pathOf(id)} holds chat ${chat.id}`);
    return chat;
  }

  private async write(chat: StoredChat): Promise<void> {
    let data: string;
    try {
      // Validating here keeps the store from writing a file it could not read back.
      data = JSON.stringify(parseStoredChat(chat));
    } catch (error) {
      const detail = error instanceof ChatStoreError ? error.detail : describe(error);
      throw new ChatStoreError('invalid', 'CodeAct could not save this chat: its data is malformed.', chat.id, detail, { cause: error });
    }
    tempCounter += 1;
    // Unique across the VS Code windows sharing this folder (pid) and across restarts that
    // reuse a pid after a crash left a temp file (random part).
    const temp = join(this.dir, `.${chat.id}.${process.pid}.${tempCounter}.${Math.random().toString(36).slice(2, 8)}.tmp`);
    const path = this.pathOf(chat.id);
    const known = this.knownVersions.get(chat.id);
    if (known !== undefined) {
      // A chat deleted by another window is written again: this window's work is not lost.
      const onDisk = await this.fs.versionOf(path).catch(() => undefined);
      if (onDisk !== undefined && onDisk !== known) {
        throw new ChatStoreError('conflict', 'This chat was changed in another window.', chat.id, `${path} was replaced by another window since this one read or wrote it`);
      }
    }
    try {
      await this.fs.mkdir(this.dir);
      await this.fs.writeNewFile(temp, data);
      await this.fs.rename(temp, path);
      this.knownVersions.set(chat.id, await this.fs.versionOf(path).catch(() => undefined));
    } catch (error) {
      await this.fs.unlink(temp).catch(() => undefined); // usually never created; nothing to report
      throw new ChatStoreError('io', `CodeAct could not save this chat: ${describe(error)}`, chat.id, `writing ${this.pathOf(chat.id)}: ${describe(error)}`, { cause: error });
    }
  }

  private async remove(id: string): Promise<void> {
    this.knownVersions.delete(id);
    try {
      await this.fs.unlink(this.pathOf(id));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw new ChatStoreError('io', `CodeAct could not delete this chat: ${describe(error)}`, id, `deleting ${this.pathOf(id)}: ${describe(error)}`, { cause: error });
    }
  }

  /** Adds an operation; a not-yet-started one is replaced, and its callers wait for the new one. */
  private enqueue(id: string, operation: Operation): Promise<void> {
    const queue = this.queues.get(id) ?? { running: undefined, next: undefined };
    this.queues.set(id, queue);
    return new Promise<void>((resolve, reject) => {
      if (queue.next) {
        queue.next.operation = operation;
        queue.next.waiters.push({ resolve, reject });
      } else {
        queue.next = { operation, waiters: [{ resolve, reject }] };
      }
      this.pump(id, queue);
    });
  }

  private pump(id: string, queue: Queue): void {
    if (queue.running) return;
    const next = queue.next;
    if (!next) {
      this.queues.delete(id);
      return;
    }
    queue.next = undefined;
    const work = next.operation.kind === 'save' ? this.write(next.operation.chat) : this.remove(id);
    queue.running = work.then(
      () => next.waiters.forEach((waiter) => waiter.resolve()),
      (error: unknown) => next.waiters.forEach((waiter) => waiter.reject(error)),
    );
    void queue.running.then(() => {
      queue.running = undefined;
      this.pump(id, queue);
    });
  }

  /** Resolves when the operations of a chat queued so far have finished (however they ended). */
  private async settled(id: string): Promise<void> {
    const queue = this.queues.get(id);
    if (!queue) return;
    const waits: Promise<void>[] = [];
    if (queue.running) waits.push(queue.running);
    if (queue.next) {
      const { waiters } = queue.next;
      waits.push(new Promise<void>((resolve) => waiters.push({ resolve, reject: () => resolve() })));
    }
    await Promise.all(waits);
  }
}

/** Runs `task` over `items` with at most `limit` running at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const worker = async (): Promise<void> => {
    while (index < items.length) {
      const item = items[index++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
