/**
 * A chat as it is kept on disk, its validation, and the errors of the chat store. Pure (no
 * file access) so that every malformed shape is tested without touching a disk.
 *
 * Validation is strict on purpose: a file with one bad entry is reported as damaged rather
 * than opened with the entry silently dropped, so the user is never shown a quietly
 * different chat than the one they had.
 */
import { type ConversationState, parseConversationState } from '../agent/conversation';
import { type ActionStatus, NOTICE_FIX_LABELS, type NoticeFix, type TranscriptEntry, type UsageTotals } from '../shared/protocol';

export const STORED_CHAT_VERSION = 1;

export interface StoredChat {
  readonly version: typeof STORED_CHAT_VERSION;
  readonly id: string;
  readonly title: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** What the user sees. */
  readonly entries: readonly TranscriptEntry[];
  /** What the model sees; resuming the chat continues from it. */
  readonly conversation: ConversationState;
  readonly usage: UsageTotals;
  readonly allowAllInChat: boolean;
  /** The notebook the chat worked in, as a URI string. */
  readonly notebookUri?: string;
  /**
   * The workspace the chat was last used in (its .code-workspace file or first folder, as a
   * URI string; empty without a folder). Chats are shared by all workspaces, but "Allow all"
   * and the notebook binding only hold in this one.
   */
  readonly workspace?: string;
  /**
   * The first id of the chat this one was copied from (its conversation id in cell markers).
   * A copy is one window's side of a chat that another window saved in the meantime.
   */
  readonly copyOf?: string;
}

/**
 * - `invalid`: the caller passed an unusable id (e.g. `../x` from a webview message) or chat.
 * - `corrupt`: the file exists but is not a chat this version can read.
 * - `missing`: there is no chat with that id.
 * - `io`: the file system failed (permissions, disk full, a path that is not a folder).
 */
/** `conflict`: another window saved the chat since this one read or wrote it. */
export type ChatStoreErrorKind = 'invalid' | 'corrupt' | 'missing' | 'io' | 'conflict';

/** An error of the chat store: `message` is for the user, `detail` for the log. */
export class ChatStoreError extends Error {
  constructor(
    readonly kind: ChatStoreErrorKind,
    message: string,
    readonly chatId: string | undefined,
    readonly detail: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChatStoreError';
  }
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * Whether an id is safe as a file name on every platform: letters, digits, `-` and `_`,
 * starting with a letter or digit, at most 128 characters, not a Windows device name. This
 * rules out path traversal (`..`, `/`, `\`), hidden files and the store's own temp files.
 */
export function isValidChatId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id) && !WINDOWS_RESERVED.test(id);
}

/** Thrown inside validation with the path of the bad field; turned into a ChatStoreError. */
class Malformed extends Error {}

type Fields = Readonly<Record<string, unknown>>;

function record(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed(`${path} is not an object`);
  return value as Fields;
}

function text(fields: Fields, key: string, path: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new Malformed(`${path}.${key} is not a string`);
  return value;
}

function count(fields: Fields, key: string, path: string): number {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Malformed(`${path}.${key} is not a non-negative number`);
  return value;
}

function flag(fields: Fields, key: string, path: string): boolean {
  const value = fields[key];
  if (typeof value !== 'boolean') throw new Malformed(`${path}.${key} is not true or false`);
  return value;
}

/** An optional field: absent (or null, as JSON may write it) gives undefined. */
function optional<T>(fields: Fields, key: string, read: (fields: Fields, key: string, path: string) => T, path: string): T | undefined {
  return fields[key] === undefined || fields[key] === null ? undefined : read(fields, key, path);
}

function oneOf<T extends string>(fields: Fields, key: string, values: readonly T[], path: string): T {
  const value = fields[key];
  if (!values.includes(value as T)) throw new Malformed(`${path}.${key} is not one of ${values.join(', ')}`);
  return value as T;
}

function texts(fields: Fields, key: string, path: string): string[] {
  const value = fields[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new Malformed(`${path}.${key} is not a list of strings`);
  return [...value] as string[];
}

const NOTICE_FIXES = Object.keys(NOTICE_FIX_LABELS) as NoticeFix[];

/** Every status, listed through a record so adding one to the protocol fails to compile here. */
const ACTION_STATUSES = Object.keys({
  pending: true,
  waiting: true,
  awaitingKernel: true,
  running: true,
  ran: true,
  editedAndRan: true,
  autoRan: true,
  skipped: true,
  rejected: true,
  cancelled: true,
} satisfies Record<ActionStatus, true>) as ActionStatus[];

function readEntry(raw: unknown, path: string): TranscriptEntry {
  const fields = record(raw, path);
  const id = text(fields, 'id', path);
  const kind = oneOf(fields, 'kind', ['user', 'assistant', 'action', 'notice'] as const, path);
  switch (kind) {
    case 'user':
      return { kind, id, text: text(fields, 'text', path) };
    case 'assistant':
      return { kind, id, text: text(fields, 'text', path), streaming: flag(fields, 'streaming', path) };
    case 'notice': {
      const retry = optional(fields, 'retry', flag, path);
      const fix = fields['fix'] === undefined || fields['fix'] === null ? undefined : oneOf(fields, 'fix', NOTICE_FIXES, path);
      const alternativeFix = fields['alternativeFix'] === undefined || fields['alternativeFix'] === null ? undefined : oneOf(fields, 'alternativeFix', NOTICE_FIXES, path);
      return {
        kind,
        id,
        level: oneOf(fields, 'level', ['info', 'warning', 'error'] as const, path),
        text: text(fields, 'text', path),
        ...(retry ? { retry } : {}),
        ...(fix ? { fix } : {}),
        ...(alternativeFix ? { alternativeFix } : {}),
      };
    }
    case 'action': {
      const feedback = optional(fields, 'feedback', text, path);
      const durationMs = optional(fields, 'durationMs', count, path);
      const preview = fields['preview'] === undefined || fields['preview'] === null ? undefined : readPreview(fields['preview'], `${path}.preview`);
      const language = fields['language'] === undefined || fields['language'] === null ? undefined : oneOf(fields, 'language', ['bash'] as const, path);
      return {
        kind,
        id,
        proposedCode: text(fields, 'proposedCode', path),
        code: text(fields, 'code', path),
        ...(language !== undefined ? { language } : {}),
        status: oneOf(fields, 'status', ACTION_STATUSES, path),
        risks: texts(fields, 'risks', path),
        ...(feedback !== undefined ? { feedback } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(preview !== undefined ? { preview } : {}),
        hasCell: flag(fields, 'hasCell', path),
      };
    }
  }
}

function readPreview(raw: unknown, path: string): NonNullable<Extract<TranscriptEntry, { kind: 'action' }>['preview']> {
  const fields = record(raw, path);
  const error = optional(fields, 'error', readErrorSummary, path);
  return {
    text: text(fields, 'text', path),
    isError: flag(fields, 'isError', path),
    ...(error ? { error } : {}),
    images: texts(fields, 'images', path),
    truncated: flag(fields, 'truncated', path),
  };
}

function readErrorSummary(parent: Fields, key: string, parentPath: string): { exception: string; userFrame?: string } {
  const path = `${parentPath}.${key}`;
  const fields = record(parent[key], path);
  const userFrame = optional(fields, 'userFrame', text, path);
  return { exception: text(fields, 'exception', path), ...(userFrame !== undefined ? { userFrame } : {}) };
}

function readUsage(raw: unknown, path: string): UsageTotals {
  const fields = record(raw, path);
  const estimated = optional(fields, 'estimated', flag, path);
  return {
    inputTokens: count(fields, 'inputTokens', path),
    outputTokens: count(fields, 'outputTokens', path),
    costUsd: optional(fields, 'costUsd', count, path),
    ...(estimated ? { estimated } : {}),
  };
}

function readChat(raw: unknown): StoredChat {
  const fields = record(raw, 'chat');
  if (fields['version'] !== STORED_CHAT_VERSION) throw new Malformed(`chat.version is ${JSON.stringify(fields['version']) ?? 'missing'}, expected ${STORED_CHAT_VERSION}`);
  const id = text(fields, 'id', 'chat');
  if (!isValidChatId(id)) throw new Malformed('chat.id is not a valid chat id');
  const rawEntries = fields['entries'];
  if (!Array.isArray(rawEntries)) throw new Malformed('chat.entries is not a list');
  const entries = rawEntries.map((entry: unknown, index) => readEntry(entry, `chat.entries[${index}]`));
  const ids = new Set<string>();
  entries.forEach((entry, index) => {
    if (ids.has(entry.id)) throw new Malformed(`chat.entries[${index}].id repeats an earlier entry's id`);
    ids.add(entry.id);
  });
  const conversation = parseConversationState(fields['conversation']);
  if (!conversation) throw new Malformed('chat.conversation is not a valid conversation');
  const notebookUri = optional(fields, 'notebookUri', text, 'chat');
  const workspace = optional(fields, 'workspace', text, 'chat');
  const copyOf = optional(fields, 'copyOf', text, 'chat');
  return {
    version: STORED_CHAT_VERSION,
    id,
    title: text(fields, 'title', 'chat'),
    createdAt: count(fields, 'createdAt', 'chat'),
    updatedAt: count(fields, 'updatedAt', 'chat'),
    entries,
    conversation,
    usage: readUsage(fields['usage'], 'chat.usage'),
    allowAllInChat: flag(fields, 'allowAllInChat', 'chat'),
    ...(notebookUri !== undefined ? { notebookUri } : {}),
    ...(workspace !== undefined ? { workspace } : {}),
    ...(copyOf !== undefined ? { copyOf } : {}),
  };
}

/**
 * Validates a chat read from disk and returns a copy holding only the known fields. Throws a
 * `corrupt` ChatStoreError whose `detail` names the first bad field.
 */
export function parseStoredChat(raw: unknown): StoredChat {
  try {
    return readChat(raw);
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    const id = typeof raw === 'object' && raw !== null && isValidChatId((raw as Fields)['id']) ? ((raw as Fields)['id'] as string) : undefined;
    throw new ChatStoreError('corrupt', 'This chat’s file is damaged or from a newer version of CodeAct, so it cannot be opened.', id, error.message);
  }
}
