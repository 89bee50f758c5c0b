import type { ConversationState } from '../agent/conversation';
import { emptyConversation } from '../agent/conversation';
import {
  ActionEntry,
  BusyState,
  ChatHeader,
  ChatSnapshot,
  ChatSummary,
  HostToWebviewMessage,
  TranscriptEntry,
  UsageTotals,
} from '../shared/protocol';
import type { StoredChat } from './chatStore';

let counter = 0;
/** Ids unique within this process run and across runs (time-based prefix). */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}`;
}

/** Where a session's changes go: the webview (if showing this chat) and the store. */
export interface SessionSink {
  post(message: HostToWebviewMessage): void;
  changed(session: ChatSession): void;
}

/**
 * The state of one chat on the host: its transcript (what the user sees), the agent's
 * conversation (what the model sees), usage, and the chat's approval mode. Every change is
 * posted to the webview and reported for persistence.
 */
export class ChatSession {
  private chatId: string;
  private copiedFrom: string | undefined;
  readonly createdAt: number;
  private updatedAt: number;
  private entries: TranscriptEntry[];
  private conversationState: ConversationState;
  private usageTotals: UsageTotals;
  private allowAll: boolean;
  private busyState: BusyState = 'idle';
  private notebook: string | undefined;

  constructor(
    private readonly sink: SessionSink,
    /** The workspace this window has open (see StoredChat.workspace). */
    private readonly workspace: string,
    stored?: StoredChat,
  ) {
    this.chatId = stored?.id ?? newId('chat');
    this.copiedFrom = stored?.copyOf;
    this.createdAt = stored?.createdAt ?? Date.now();
    this.updatedAt = stored?.updatedAt ?? this.createdAt;
    this.entries = stored ? stored.entries.map(settleInterrupted) : [];
    this.conversationState = stored?.conversation ?? emptyConversation();
    this.usageTotals = stored?.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: undefined };
    // "Allow all" and the notebook were given for the chat's own workspace: opened in another,
    // the chat asks again and works in this workspace's notebooks.
    // A chat saved before chats remembered their workspace keeps its notebook but asks again.
    const sameWorkspace = stored?.workspace === workspace;
    this.allowAll = sameWorkspace ? (stored?.allowAllInChat ?? false) : false;
    this.notebook = sameWorkspace || stored?.workspace === undefined ? stored?.notebookUri : undefined;
  }

  get id(): string {
    return this.chatId;
  }

  /**
   * The conversation's id in notebook cell markers: the chat's first id, kept by its copies, so
   * a copy still places and reveals the cells its actions wrote before it was copied.
   */
  get conversationId(): string {
    return this.copiedFrom ?? this.chatId;
  }

  get title(): string {
    const first = this.entries.find((entry) => entry.kind === 'user');
    const title = first ? first.text.replace(/\s+/g, ' ').slice(0, 80) : 'New chat';
    return this.copiedFrom ? `${title} (copy)` : title;
  }

  /**
   * Goes on under a new id, because another window saved this chat meanwhile: both sides are
   * kept, theirs under the old id, ours as a copy. Returns the id it had.
   */
  continueAsCopy(notice: string): string {
    const original = this.chatId;
    this.copiedFrom = this.conversationId;
    this.chatId = newId('chat');
    this.add({ kind: 'notice', id: newId('notice'), level: 'warning', text: notice });
    return original;
  }

  /** The notebook the chat works in (a URI string), kept with the chat across reloads. */
  /** Marks every action still waiting for a decision as cancelled (its turn is gone). */
  cancelWaitingApprovals(): void {
    for (const entry of this.entries) {
      if (entry.kind === 'action' && entry.status === 'pending') this.replace({ ...entry, status: 'cancelled' });
    }
  }

  /** The newest transcript entry. */
  get lastEntry(): TranscriptEntry | undefined {
    return this.entries.at(-1);
  }

  get notebookUri(): string | undefined {
    return this.notebook;
  }

  setNotebook(uri: string | undefined): void {
    if (uri === this.notebook) return;
    this.notebook = uri;
    this.touch();
  }

  get busy(): BusyState {
    return this.busyState;
  }

  get conversation(): ConversationState {
    return this.conversationState;
  }

  get usage(): UsageTotals {
    return this.usageTotals;
  }

  get allowAllInChat(): boolean {
    return this.allowAll;
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  entry(id: string): TranscriptEntry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  /** Action entries that wait for a decision (after a reload, with no turn running). */
  pendingActions(): ActionEntry[] {
    return this.entries.filter((entry): entry is ActionEntry => entry.kind === 'action' && entry.status === 'pending');
  }

  add(entry: TranscriptEntry): void {
    this.entries.push(entry);
    this.sink.post({ type: 'entryAdded', entry });
    this.touch();
  }

  replace(entry: TranscriptEntry): void {
    // The clock can step back while an action runs: a duration is never negative.
    if (entry.kind === 'action' && entry.durationMs !== undefined) entry = { ...entry, durationMs: nonNegative(entry.durationMs) };
    const index = this.entries.findIndex((existing) => existing.id === entry.id);
    if (index < 0) {
      this.add(entry);
      return;
    }
    this.entries[index] = entry;
    this.sink.post({ type: 'entryUpdated', entry });
    this.touch();
  }

  /** Streams more assistant text; persisted with the next change, not per token. */
  appendAssistantText(entryId: string, delta: string): void {
    const index = this.entries.findIndex((existing) => existing.id === entryId);
    const entry = this.entries[index];
    if (!entry || entry.kind !== 'assistant') return;
    this.entries[index] = { ...entry, text: entry.text + delta };
    this.sink.post({ type: 'assistantDelta', entryId, delta });
  }

  setConversation(conversation: ConversationState): void {
    this.conversationState = conversation;
    this.touch();
  }

  addUsage(inputTokens: number, outputTokens: number, costUsd: number | undefined, estimated = false): void {
    const previous = this.usageTotals;
    // A server may report nonsense (strings, negatives); one bad number must not make every
    // later save of the chat fail validation.
    this.usageTotals = {
      inputTokens: previous.inputTokens + nonNegative(inputTokens),
      outputTokens: previous.outputTokens + nonNegative(outputTokens),
      costUsd: costUsd === undefined || !Number.isFinite(costUsd) ? previous.costUsd : (previous.costUsd ?? 0) + nonNegative(costUsd),
      ...(previous.estimated || estimated ? { estimated: true } : {}),
    };
    this.touch();
  }

  setAllowAll(enabled: boolean): void {
    this.allowAll = enabled;
    this.touch();
  }

  setBusy(busy: BusyState): void {
    this.busyState = busy;
  }

  snapshot(header: ChatHeader, pastChats: readonly ChatSummary[], canRunCode: boolean): ChatSnapshot {
    return {
      chatId: this.id,
      title: this.title,
      entries: [...this.entries],
      busy: this.busyState,
      header,
      usage: this.usageTotals,
      allowAllInChat: this.allowAll,
      pastChats,
      canRunCode,
    };
  }

  toStored(): StoredChat {
    return {
      version: 1,
      id: this.id,
      title: this.title,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      entries: [...this.entries],
      conversation: this.conversationState,
      usage: this.usageTotals,
      allowAllInChat: this.allowAll,
      ...(this.notebook ? { notebookUri: this.notebook } : {}),
      workspace: this.workspace,
      ...(this.copiedFrom ? { copyOf: this.copiedFrom } : {}),
    };
  }

  private touch(): void {
    this.updatedAt = Date.now();
    this.sink.changed(this);
  }
}

/**
 * A chat read from disk has no turn running: an action saved as running, or a reply saved
 * while it streamed, was cut off by a reload or a crash. Showing them as still going would
 * spin forever. (A pending approval stays pending: the user can still decide it.)
 */
function settleInterrupted(entry: TranscriptEntry): TranscriptEntry {
  if (entry.kind === 'action' && (entry.status === 'running' || entry.status === 'waiting' || entry.status === 'awaitingKernel')) return { ...entry, status: 'cancelled' };
  if (entry.kind === 'assistant' && entry.streaming) return { ...entry, streaming: false };
  return entry;
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
