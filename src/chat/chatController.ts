import { Disposable } from '../platform/lifecycle';
import { Logger } from '../platform/logger';
import {
  ChatHeader,
  ChatSnapshot,
  TranscriptEntry,
  UsageTotals,
  WebviewToHostMessage,
  assertNever,
} from '../shared/protocol';
import { ChatViewProvider, WebviewMessageHandler } from './chatViewProvider';

/** Answers a user's message; the agent implements this, the controller only shows it. */
export interface ChatResponder {
  respond(text: string, chat: ChatController): Promise<void>;
}

let nextId = 0;
function newId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${Date.now().toString(36)}-${nextId}`;
}

/**
 * Owns the chat's state on the host and keeps the webview in sync with it: a full snapshot on
 * every `ready`, then one message per change.
 */
export class ChatController extends Disposable implements WebviewMessageHandler {
  private chatId = newId('chat');
  private entries: TranscriptEntry[] = [];
  private busy: ChatSnapshot['busy'] = 'idle';
  private usage: UsageTotals = { inputTokens: 0, outputTokens: 0, costUsd: undefined };

  constructor(
    private readonly view: ChatViewProvider,
    private readonly logger: Logger,
    private readonly header: () => ChatHeader,
    private readonly canRunCode: () => boolean,
    private readonly responder: ChatResponder,
  ) {
    super();
    view.setHandler(this);
  }

  snapshot(): ChatSnapshot {
    return {
      chatId: this.chatId,
      title: this.title(),
      entries: this.entries,
      busy: this.busy,
      header: this.header(),
      usage: this.usage,
      allowAllInChat: false,
      pastChats: [],
      canRunCode: this.canRunCode(),
    };
  }

  /** Adds an entry to the transcript and shows it. */
  addEntry(entry: TranscriptEntry): void {
    this.entries.push(entry);
    this.view.post({ type: 'entryAdded', entry });
  }

  newEntryId(prefix: string): string {
    return newId(prefix);
  }

  /** Starts a new, empty chat. */
  newChat(): void {
    this.chatId = newId('chat');
    this.entries = [];
    this.busy = 'idle';
    this.usage = { inputTokens: 0, outputTokens: 0, costUsd: undefined };
    this.view.post({ type: 'snapshot', snapshot: this.snapshot() });
  }

  async handleWebviewMessage(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.view.post({ type: 'snapshot', snapshot: this.snapshot() });
        return;
      case 'sendMessage':
        await this.send(message.text);
        return;
      case 'newChat':
        this.newChat();
        return;
      case 'stop':
      case 'openChat':
      case 'approveAction':
      case 'skipAction':
      case 'rejectAction':
      case 'setAllowAllInChat':
      case 'revealCell':
      case 'changeHeader':
        this.logger.debug('Chat', `${message.type} is not available yet`);
        return;
      case 'webviewProblem':
        return;
      default:
        assertNever(message);
    }
  }

  private async send(text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.addEntry({ kind: 'user', id: newId('user'), text: trimmed });
    this.setBusy('streaming');
    try {
      await this.responder.respond(trimmed, this);
    } finally {
      this.setBusy('idle');
    }
  }

  private setBusy(busy: ChatSnapshot['busy']): void {
    this.busy = busy;
    this.view.post({ type: 'status', busy, header: this.header(), usage: this.usage, allowAllInChat: false });
  }

  private title(): string {
    const first = this.entries.find((entry) => entry.kind === 'user');
    return first ? first.text.slice(0, 60) : 'New chat';
  }
}
