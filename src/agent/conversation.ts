/**
 * The conversation the model sees, as a plain serializable object: the chat persists it and
 * resumes from it, and the agent turns it into model messages for each request.
 *
 * It holds exactly what the model was told, not the transcript the user sees: an edited action
 * appears with the code that actually ran, a skipped one with the note that it was skipped.
 */
import type { ModelImage, ModelMessage, ModelToolCall } from '../llm/chatModel';
import { type ToldEnvironment, parseToldEnvironment, requestText } from './environmentNote';

/** The user's own words (never shortened), after the environment note sent with them. */
export interface RequestEntry {
  readonly kind: 'request';
  readonly text: string;
  readonly environment?: string;
}

/** What the model said; for an action, with the code that ran. */
export interface ReplyEntry {
  readonly kind: 'reply';
  readonly text: string;
  readonly toolCalls: readonly ModelToolCall[];
  /** The action this reply proposed, if any. */
  readonly actionId?: string;
}

/**
 * What the model is told back: an action's output, or a note (skipped, rejected, malformed
 * reply, limit reached). Sent as a tool message when it answers a tool call, else as a user
 * message.
 */
export interface ObservationEntry {
  readonly kind: 'observation';
  readonly text: string;
  readonly images: readonly ModelImage[];
  readonly actionId?: string;
  readonly toolCallId?: string;
  /**
   * The line on the kernel's variables after the action (environmentNote.ts), sent after the
   * text. Never shortened: the model is not told those variables again.
   */
  readonly variables?: string;
  /** Set once the context budget shortened it. */
  readonly shortened?: boolean;
}

/** An observation as the model reads it: its output, then the variables line. */
export function observationMessageText(entry: ObservationEntry): string {
  return entry.variables ? (entry.text ? `${entry.text}\n${entry.variables}` : entry.variables) : entry.text;
}

export type HistoryEntry = RequestEntry | ReplyEntry | ObservationEntry;

export const CONVERSATION_VERSION = 1;

export interface ConversationState {
  readonly version: typeof CONVERSATION_VERSION;
  readonly entries: readonly HistoryEntry[];
  /** What the model was told of the environment so far (environmentNote.ts). */
  readonly told?: ToldEnvironment;
}

/**
 * The history with only the `keep` most recent images; older observations keep their text,
 * which already describes each image (`[image/png 640x480]`). Plots are the bulk of a saved
 * chat and of a vision model's context, and the model needs the latest ones, not every one.
 */
export function keepRecentImages(entries: readonly HistoryEntry[], keep: number): HistoryEntry[] {
  let left = keep;
  const kept: HistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined) continue;
    if (entry.kind !== 'observation' || entry.images.length === 0) {
      kept.push(entry);
      continue;
    }
    const images = entry.images.slice(Math.max(0, entry.images.length - left));
    left -= images.length;
    kept.push(images.length === entry.images.length ? entry : { ...entry, images });
  }
  return kept.reverse();
}

export function emptyConversation(): ConversationState {
  return { version: CONVERSATION_VERSION, entries: [] };
}

/** The messages of one model request: the system prompt, then the history. */
/** Stands in for a reply with no text, so the history stays valid for every server. */
export const EMPTY_REPLY_PLACEHOLDER = '(no reply text)';

export function toModelMessages(systemPrompt: string, entries: readonly HistoryEntry[]): ModelMessage[] {
  const messages: ModelMessage[] = [{ role: 'system', text: systemPrompt }];
  for (const entry of entries) {
    switch (entry.kind) {
      case 'request':
        messages.push({ role: 'user', text: requestText(entry.text, entry.environment) });
        break;
      case 'reply':
        if (entry.toolCalls.length > 0) messages.push({ role: 'assistant', text: entry.text, toolCalls: entry.toolCalls });
        // A reply that was only thought (never sent back) has no text left. Strict servers
        // refuse an assistant message with neither content nor tool calls, and dropping it
        // would put two user messages in a row, which strict chat templates refuse too.
        else messages.push({ role: 'assistant', text: entry.text.trim() === '' ? EMPTY_REPLY_PLACEHOLDER : entry.text });
        break;
      case 'observation':
        messages.push(
          entry.toolCallId !== undefined
            ? { role: 'tool', toolCallId: entry.toolCallId, text: observationMessageText(entry), images: entry.images }
            : { role: 'user', text: observationMessageText(entry), images: entry.images },
        );
        break;
    }
  }
  return messages;
}

/**
 * Validates a persisted conversation (e.g. from workspace storage) before resuming it.
 * Returns undefined for anything malformed, so a corrupt store starts a fresh chat.
 */
export function parseConversationState(raw: unknown): ConversationState | undefined {
  if (!isRecord(raw) || raw['version'] !== CONVERSATION_VERSION || !Array.isArray(raw['entries'])) return undefined;
  const entries: HistoryEntry[] = [];
  for (const item of raw['entries'] as unknown[]) {
    const entry = parseEntry(item);
    if (!entry) return undefined;
    entries.push(entry);
  }
  const told = parseToldEnvironment(raw['told']);
  return { version: CONVERSATION_VERSION, entries, ...(told ? { told } : {}) };
}

function parseEntry(raw: unknown): HistoryEntry | undefined {
  if (!isRecord(raw) || typeof raw['text'] !== 'string') return undefined;
  const text = raw['text'];
  switch (raw['kind']) {
    case 'request': {
      const environment = optionalString(raw['environment']);
      if (environment === null) return undefined;
      return { kind: 'request', text, ...(environment !== undefined ? { environment } : {}) };
    }
    case 'reply': {
      const toolCalls = raw['toolCalls'];
      if (!Array.isArray(toolCalls) || !toolCalls.every(isToolCall)) return undefined;
      const actionId = optionalString(raw['actionId']);
      if (actionId === null) return undefined;
      return { kind: 'reply', text, toolCalls: toolCalls.map((c) => ({ id: c.id, name: c.name, argumentsJson: c.argumentsJson })), ...(actionId !== undefined ? { actionId } : {}) };
    }
    case 'observation': {
      const images = raw['images'];
      if (!Array.isArray(images) || !images.every(isImage)) return undefined;
      const actionId = optionalString(raw['actionId']);
      const toolCallId = optionalString(raw['toolCallId']);
      const variables = optionalString(raw['variables']);
      if (actionId === null || toolCallId === null || variables === null) return undefined;
      return {
        kind: 'observation',
        text,
        images: images.map((i) => ({ mimeType: i.mimeType, dataBase64: i.dataBase64, description: i.description })),
        ...(actionId !== undefined ? { actionId } : {}),
        ...(toolCallId !== undefined ? { toolCallId } : {}),
        ...(variables !== undefined ? { variables } : {}),
        ...(raw['shortened'] === true ? { shortened: true } : {}),
      };
    }
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** undefined when absent, null when present but not a string. */
function optionalString(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

function isToolCall(value: unknown): value is ModelToolCall {
  return isRecord(value) && typeof value['id'] === 'string' && typeof value['name'] === 'string' && typeof value['argumentsJson'] === 'string';
}

function isImage(value: unknown): value is ModelImage {
  return isRecord(value) && typeof value['mimeType'] === 'string' && typeof value['dataBase64'] === 'string' && typeof value['description'] === 'string';
}
