/**
 * The one message protocol between the extension host and the chat webview.
 *
 * Both sides import this module (it must never import `vscode`). Messages are discriminated
 * unions on `type`; the host owns all state and sends the webview a full snapshot after the
 * webview's `ready`, then incremental updates. Everything the webview sends is untrusted and
 * goes through {@link parseWebviewMessage} before the host acts on it.
 */

/** Why the chat is busy, shown in the input area and used to enable Stop. */
export type BusyState = 'idle' | 'streaming' | 'running' | 'awaitingApproval';

/** What happened to a code action the model proposed. */
export type ActionStatus =
  | 'pending' // waiting for the user's decision
  | 'waiting' // approved, waiting for the kernel to finish code that runs before it
  | 'awaitingKernel' // approved, waiting for a kernel: being chosen in VS Code's picker, or starting
  | 'running'
  | 'ran'
  | 'editedAndRan'
  | 'autoRan'
  | 'skipped'
  | 'rejected'
  | 'cancelled';

/** A compact view of an action's outputs for the transcript (the full output is in the cell). */
export interface ActionPreview {
  readonly text: string;
  readonly isError: boolean;
  /** For a traceback: its exception line and the line of the user's cell that raised it. */
  readonly error?: { readonly exception: string; readonly userFrame?: string };
  /** data: URLs of small images (plots) shown as thumbnails. */
  readonly images: readonly string[];
  readonly truncated: boolean;
}

export interface UserEntry {
  readonly kind: 'user';
  readonly id: string;
  readonly text: string;
}

export interface AssistantEntry {
  readonly kind: 'assistant';
  readonly id: string;
  readonly text: string;
  readonly streaming: boolean;
}

export interface ActionEntry {
  readonly kind: 'action';
  readonly id: string;
  /** The code as the model proposed it. */
  readonly proposedCode: string;
  /** The code that ran (differs from proposedCode when the user edited it). */
  readonly code: string;
  /** 'bash': the model asked for a shell command, which runs as a `%%bash` cell (absent: Python). */
  readonly language?: 'bash';
  readonly status: ActionStatus;
  /** Reasons the static check flagged this code as risky; empty when it is not. */
  readonly risks: readonly string[];
  readonly feedback?: string;
  readonly durationMs?: number;
  readonly preview?: ActionPreview;
  /** True when the action's cell can be revealed in a notebook. */
  readonly hasCell: boolean;
}

export interface NoticeEntry {
  readonly kind: 'notice';
  readonly id: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
  /** The model request failed: the notice offers "Retry", which asks the model again. */
  readonly retry?: boolean;
  /** A button that does what the notice says to do (set the key, choose a model, …). */
  readonly fix?: NoticeFix;
  /** A second way out, beside `fix` (no key for OpenAI: use a local server instead). */
  readonly alternativeFix?: NoticeFix;
}

/**
 * What a notice's button does. The webview names one of these; the host maps it to its own
 * command, so a webview message can never run an arbitrary command.
 */
export type NoticeFix = 'setApiKey' | 'useLocalServer' | 'selectModel' | 'openSettings' | 'manageTrust' | 'restartKernel';

export const NOTICE_FIX_LABELS: { readonly [F in NoticeFix]: string } = {
  setApiKey: 'Set API Key',
  useLocalServer: 'Use a Local Server…',
  selectModel: 'Select Model',
  openSettings: 'Open Settings',
  manageTrust: 'Manage Workspace Trust',
  restartKernel: 'Restart Kernel',
};

export type TranscriptEntry = UserEntry | AssistantEntry | ActionEntry | NoticeEntry;

/** The header of the chat: what the agent works on, each part clickable to change. */
export interface ChatHeader {
  readonly notebook: string | undefined;
  readonly kernel: string | undefined;
  readonly model: string;
}

export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Undefined when the model's price is unknown. */
  readonly costUsd: number | undefined;
  /** Some replies' numbers are CodeAct's estimate: the provider did not report them. */
  readonly estimated?: boolean;
}

export interface ChatSummary {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
}

export interface ChatSnapshot {
  readonly chatId: string;
  readonly title: string;
  readonly entries: readonly TranscriptEntry[];
  readonly busy: BusyState;
  readonly header: ChatHeader;
  readonly usage: UsageTotals;
  readonly allowAllInChat: boolean;
  readonly pastChats: readonly ChatSummary[];
  /** False in an untrusted workspace: the chat works, code never runs. */
  readonly canRunCode: boolean;
}

/** Messages from the host to the webview. */
export type HostToWebviewMessage =
  | { readonly type: 'snapshot'; readonly snapshot: ChatSnapshot }
  | { readonly type: 'entryAdded'; readonly entry: TranscriptEntry }
  | { readonly type: 'entryUpdated'; readonly entry: TranscriptEntry }
  | { readonly type: 'assistantDelta'; readonly entryId: string; readonly delta: string }
  | {
      readonly type: 'status';
      readonly busy: BusyState;
      readonly header: ChatHeader;
      readonly usage: UsageTotals;
      readonly allowAllInChat: boolean;
    }
  | { readonly type: 'focusInput'; readonly text?: string };

/** The part of the header a click asks to change. */
export type HeaderTarget = 'notebook' | 'kernel' | 'model';

/** Messages from the webview to the host. */
export type WebviewToHostMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'sendMessage'; readonly text: string }
  | { readonly type: 'stop' }
  | { readonly type: 'retryTurn' }
  | { readonly type: 'applyNoticeFix'; readonly fix: NoticeFix }
  | { readonly type: 'openChat'; readonly chatId: string }
  | { readonly type: 'deleteChat'; readonly chatId: string }
  | { readonly type: 'approveAction'; readonly actionId: string; readonly code: string }
  | { readonly type: 'skipAction'; readonly actionId: string }
  | { readonly type: 'rejectAction'; readonly actionId: string; readonly feedback: string }
  | { readonly type: 'setAllowAllInChat'; readonly enabled: boolean }
  | { readonly type: 'revealCell'; readonly actionId: string }
  | { readonly type: 'changeHeader'; readonly target: HeaderTarget }
  | { readonly type: 'webviewProblem'; readonly kind: 'csp' | 'error'; readonly detail: string };

export type WebviewToHostType = WebviewToHostMessage['type'];

/** Longest text accepted from the webview in one field; longer messages are malformed. */
export const MAX_WEBVIEW_TEXT = 1_000_000;

type FieldKind = 'string' | 'boolean' | 'headerTarget' | 'problemKind' | 'noticeFix';

/** The fields each message type must have, and nothing else is read. */
const webviewMessageFields: { readonly [T in WebviewToHostType]: Readonly<Record<string, FieldKind>> } = {
  ready: {},
  sendMessage: { text: 'string' },
  stop: {},
  retryTurn: {},
  applyNoticeFix: { fix: 'noticeFix' },
  openChat: { chatId: 'string' },
  deleteChat: { chatId: 'string' },
  approveAction: { actionId: 'string', code: 'string' },
  skipAction: { actionId: 'string' },
  rejectAction: { actionId: 'string', feedback: 'string' },
  setAllowAllInChat: { enabled: 'boolean' },
  revealCell: { actionId: 'string' },
  changeHeader: { target: 'headerTarget' },
  webviewProblem: { kind: 'problemKind', detail: 'string' },
};

function fieldIsValid(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_WEBVIEW_TEXT;
    case 'boolean':
      return typeof value === 'boolean';
    case 'headerTarget':
      return value === 'notebook' || value === 'kernel' || value === 'model';
    case 'problemKind':
      return value === 'csp' || value === 'error';
    case 'noticeFix':
      return typeof value === 'string' && Object.prototype.hasOwnProperty.call(NOTICE_FIX_LABELS, value);
  }
}

/**
 * Validates a message received from the webview. Returns a new object holding only the
 * declared fields, or undefined when the message is malformed (unknown type, a missing or
 * mistyped field, an oversized string). Callers ignore undefined and log it.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHostMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(webviewMessageFields, type)) {
    return undefined;
  }
  const fields = webviewMessageFields[type as WebviewToHostType];
  const message: Record<string, unknown> = { type };
  for (const [name, kind] of Object.entries(fields)) {
    if (!fieldIsValid(record[name], kind)) return undefined;
    message[name] = record[name];
  }
  return message as WebviewToHostMessage;
}

/** Marks a switch as exhaustive: adding a union member without handling it fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled value: ${JSON.stringify(value)}`);
}
