import * as vscode from 'vscode';
import { Disposable } from '../platform/lifecycle';
import { Logger, describeError } from '../platform/logger';
import { readSettings } from '../platform/settings';
import { ChatHeader, ChatSummary, NoticeFix, WebviewToHostMessage, assertNever } from '../shared/protocol';
import type { ApprovalDecision } from '../agent/agentPorts';
import type { TurnRequest } from '../agent/codeActAgent';
import { runAgentTurn } from './agentTurn';
import { ChatSession, SessionSink, newId } from './chatSession';
import { ChatStore, ChatStoreError, StoredChat } from './chatStore';
import { SerialQueue } from '../shared/serialQueue';
import { ChatTurnPresenter } from './chatTurn';
import { ChatViewProvider, WebviewMessageHandler } from './chatViewProvider';
import { HeaderActions } from './headerActions';
import { NotebookRiskPlaces } from './notebookRiskPlaces';
import { NotebookTarget } from './notebookTarget';
import { UserDecision, WebviewApprovalGate } from './webviewApprovalGate';
import type { NotebookCellRunner } from '../kernel/notebook/notebookCellRunner';
import type { KernelSelector } from '../kernel/notebook/kernelSelector';
import type { RiskAnalyzer } from '../agent/riskAnalyzer';

export interface ChatControllerServices {
  readonly view: ChatViewProvider;
  readonly logger: Logger;
  readonly store: ChatStore;
  readonly secrets: vscode.SecretStorage;
  readonly cellRunner: NotebookCellRunner;
  readonly kernels: KernelSelector;
  readonly memento: vscode.Memento;
  /** The risky-code check every action passes before the approval policy. */
  readonly riskAnalyzer: RiskAnalyzer;
}

const LAST_CHAT_KEY = 'codeact.lastChatId';

/** The command (with its arguments) behind each notice button; nothing else can be run. */
const NOTICE_FIX_COMMANDS: { readonly [F in Exclude<NoticeFix, 'restartKernel'>]: readonly [string, ...unknown[]] } = {
  setApiKey: ['codeact.setApiKey'],
  useLocalServer: ['codeact.useLocalServer'],
  selectModel: ['codeact.selectModel'],
  openSettings: ['workbench.action.openSettings', 'codeact'],
  manageTrust: ['workbench.trust.manage'],
};

/**
 * Owns the chats on the host: the current session, its turn, persistence, and every message
 * from the webview. The webview only renders what this sends.
 */
export class ChatController extends Disposable implements WebviewMessageHandler {
  private session: ChatSession;
  private readonly target = new NotebookTarget();
  private turn: { abort: AbortController; gate: WebviewApprovalGate; done: Promise<void> } | undefined;
  /** Work that starts a turn (a message, a retry, a decision) is queued and not started yet. */
  private turnQueued = false;
  /** Set once the extension is shutting down: nothing is saved after that. */
  private closing = false;
  private pastChats: readonly ChatSummary[] = [];
  private readonly saveFailures = new Set<string>();
  /** Unreadable chat files already reported to the user. */
  private readonly reportedProblems = new Set<string>();
  private restored: Promise<void> | undefined;
  private readonly header: HeaderActions;
  private readonly riskPlaces: NotebookRiskPlaces;
  /**
   * Operations that switch or start work on the current chat run one at a time, so a message
   * sent while another chat is being opened cannot run in one chat and show in the other.
   */
  private readonly serial = new SerialQueue();

  constructor(private readonly services: ChatControllerServices) {
    super();
    this.session = this.createSession();
    this.header = new HeaderActions(this.target);
    this.riskPlaces = new NotebookRiskPlaces(services.kernels, this.target);
    services.view.setHandler(this);
    this._register(vscode.window.onDidChangeActiveNotebookEditor(() => this.postStatus()));
    this._register(vscode.window.tabGroups.onDidChangeTabs(() => this.postStatus()));
    this._register(services.kernels.onDidChange(() => this.postStatus()));
    this._register(vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('codeact') && this.postStatus()));
  }

  /** "Restart Kernel" on a notice: the kernel of the notebook the chat works in, whichever runs it. */
  private async restartKernel(): Promise<void> {
    const notebook = this.target.current();
    if (!notebook) return;
    try {
      await this.services.kernels.restart(notebook);
    } catch (error) {
      this.services.logger.error('Kernel', 'restarting the kernel failed', error);
      void vscode.window.showErrorMessage(vscode.l10n.t('CodeAct could not restart the kernel: {0}', error instanceof Error ? error.message : String(error)));
    }
  }

  /** Restores the chat that was open last (after a reload or restart). */
  async restore(): Promise<void> {
    await this.refreshPastChats();
    const lastId = this.services.memento.get<string>(LAST_CHAT_KEY);
    // Only into an untouched chat: the user may already have started typing.
    if (lastId && this.pastChats.some((chat) => chat.id === lastId) && this.session.isEmpty && !this.turn) await this.openChat(lastId);
  }

  /** A session whose changes reach the view only while it is the chat shown. */
  private createSession(stored?: StoredChat): ChatSession {
    const sink: SessionSink = {
      post: (message) => {
        if (this.session === session) this.services.view.post(message);
      },
      changed: (changed) => this.persist(changed),
    };
    const session: ChatSession = new ChatSession(sink, currentWorkspaceKey(), stored);
    return session;
  }

  get currentSession(): ChatSession {
    return this.session;
  }

  /** Resolves when the running turn (if any) has ended. */
  async idle(): Promise<void> {
    await this.turn?.done;
  }

  async handleWebviewMessage(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // The chats on disk are read when the view first shows, not at activation (which a
        // notebook opening also triggers).
        this.restored ??= this.restore().catch((error: unknown) => this.services.logger.error('Store', 'could not restore the last chat', error));
        await this.restored;
        this.postSnapshot();
        return;
      case 'sendMessage':
        // Refused (a turn was already on its way), the text goes back into the input box.
        if (!(await this.send(message.text))) this.services.view.post({ type: 'focusInput', text: message.text });
        return;
      case 'stop':
        this.stop();
        return;
      case 'retryTurn':
        await this.retry();
        return;
      case 'applyNoticeFix':
        // Not awaited: the commands open pickers and input boxes that wait for the user.
        if (message.fix === 'restartKernel') void this.restartKernel();
        else void vscode.commands.executeCommand(...NOTICE_FIX_COMMANDS[message.fix]);
        return;
      case 'openChat':
        await this.openChat(message.chatId);
        return;
      case 'deleteChat':
        await this.deleteChat(message.chatId);
        return;
      case 'approveAction':
        await this.decide(message.actionId, { kind: 'approve', code: message.code });
        return;
      case 'skipAction':
        await this.decide(message.actionId, { kind: 'skip' });
        return;
      case 'rejectAction':
        await this.decide(message.actionId, { kind: 'reject', feedback: message.feedback });
        return;
      case 'setAllowAllInChat':
        this.session.setAllowAll(message.enabled);
        this.postStatus();
        return;
      case 'revealCell':
        await this.header.revealCell(this.session.conversationId, message.actionId);
        return;
      case 'changeHeader':
        await this.header.change(message.target);
        this.session.setNotebook(this.target.boundUri?.toString());
        this.postStatus();
        return;
      case 'webviewProblem':
        return; // logged by the view provider
      default:
        assertNever(message);
    }
  }

  /**
   * Sends a user message, as if typed (used by the "Ask CodeAct…" commands too). While a turn
   * runs (or is about to) the message is refused at once with a word to the user: queued, it
   * would start later in whatever chat is open by then, and hold up New chat until it did.
   * Resolves false when refused, once the turn it started has ended otherwise.
   */
  async send(text: string): Promise<boolean> {
    const trimmed = text.trim();
    if (!trimmed) return true;
    if (this.turnComing) {
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct is still working on the last request. Stop it first, or wait.'));
      return false;
    }
    await this.queueTurn(async () => {
      // An approval left waiting by a reload is passed over: the model hears it did not run.
      this.session.cancelWaitingApprovals();
      this.session.add({ kind: 'user', id: newId('user'), text: trimmed });
      await this.runTurn(trimmed);
    });
    return true;
  }

  /**
   * "Retry" on a failed model request: asks the model again where the conversation stands,
   * without repeating the user's message. Only the latest entry's Retry counts, once.
   */
  async retry(): Promise<void> {
    if (this.turnComing) return;
    await this.queueTurn(async () => {
      const last = this.session.lastEntry;
      if (this.turn || last?.kind !== 'notice' || !last.retry) {
        this.services.logger.warn('Chat', 'ignored a retry: the latest entry is not a failed request');
        return;
      }
      this.session.replace({ kind: 'notice', id: last.id, level: last.level, text: last.text });
      await this.runTurn(undefined);
    });
  }

  /** A turn runs, or work that starts one is queued. */
  private get turnComing(): boolean {
    return this.turn !== undefined || this.turnQueued;
  }

  /**
   * Queues work that starts a turn. Until it starts nothing else may queue behind it: it would
   * start later in whatever chat is open by then, and hold up New chat.
   */
  private async queueTurn(work: () => Promise<void>): Promise<void> {
    this.turnQueued = true;
    await this.serial.run(async () => {
      this.turnQueued = false;
      await work();
    });
  }

  /** Sends a message about a notebook, binding the chat to it first. */
  async sendWithNotebook(text: string, notebookUri: vscode.Uri): Promise<void> {
    if (!this.turnComing) {
      this.target.bind(notebookUri);
      this.session.setNotebook(notebookUri.toString());
    }
    await this.send(text);
  }

  stop(): void {
    this.turn?.abort.abort();
  }

  async newChat(): Promise<void> {
    this.stop();
    await this.serial.run(async () => {
      this.session = this.createSession();
      this.target.bind(undefined);
      await this.services.memento.update(LAST_CHAT_KEY, undefined);
      this.postSnapshot();
    });
  }

  async openChat(chatId: string): Promise<void> {
    this.stop();
    await this.serial.run(() => this.openChatNow(chatId));
  }

  /**
   * Deletes a past chat from disk, after the user confirmed (a modal; `confirmed` skips it for
   * scripts and tests). Deleting the open chat starts a new one.
   */
  async deleteChat(chatId: string, options: { confirmed?: boolean } = {}): Promise<void> {
    const summary = this.pastChats.find((chat) => chat.id === chatId);
    if (!summary) return; // not a chat of ours (a forged or stale id)
    if (!options.confirmed) {
      const remove = vscode.l10n.t('Delete');
      const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the chat "{0}"? This cannot be undone.', summary.title), { modal: true }, remove);
      if (answer !== remove) return;
    }
    if (chatId === this.session.id) await this.newChat();
    await this.serial.run(async () => {
      try {
        await this.services.store.delete(chatId);
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t('CodeAct could not delete that chat: {0}', describeError(error)));
      }
      await this.refreshPastChats();
      if (this.services.memento.get(LAST_CHAT_KEY) === chatId) await this.services.memento.update(LAST_CHAT_KEY, undefined);
      this.postSnapshot();
    });
  }

  private async openChatNow(chatId: string): Promise<void> {
    try {
      const stored = await this.services.store.load(chatId);
      this.session = this.createSession(stored);
      const notebook = this.session.notebookUri;
      this.target.bind(notebook ? vscode.Uri.parse(notebook) : undefined);
      await this.services.memento.update(LAST_CHAT_KEY, chatId);
    } catch (error) {
      this.services.logger.error('Store', `could not open chat ${chatId}`, error);
      void vscode.window.showErrorMessage(vscode.l10n.t('CodeAct could not open that chat: {0}', describeError(error)));
    }
    this.postSnapshot();
  }

  override dispose(): void {
    // The window is closing or reloading: what is on disk is what the user left. Ending the
    // turn here must not be saved, or an approval that was waiting would come back cancelled
    // (and a running action as stopped by the user).
    this.closing = true;
    this.turn?.abort.abort();
    this.turn?.gate.dispose();
    super.dispose();
  }

  /**
   * Runs one turn: for `userText`, or (undefined) a retry of where the conversation stands, or
   * `resume` to apply a decision on the action the conversation ends with.
   */
  private async runTurn(userText: string | undefined, resume?: TurnRequest['resume']): Promise<void> {
    const session = this.session;
    const abort = new AbortController();
    const presenter = new ChatTurnPresenter(session, () => this.postStatus());
    const gate = new WebviewApprovalGate({ showPending: (action, risks, _reason, invisible) => presenter.showPending(action, risks, invisible) }, () => session.allowAllInChat, this.services.riskAnalyzer, this.riskPlaces);
    let finish: () => void = () => undefined;
    this.turn = { abort, gate, done: new Promise<void>((resolve) => (finish = resolve)) };
    session.setBusy('streaming');
    this.postStatus();
    try {
      await runAgentTurn(this.services, { session, target: this.target, presenter, gate, userText, ...(resume ? { resume } : {}), signal: abort.signal });
    } catch (error) {
      this.services.logger.error('Agent', 'the turn failed', error);
      session.add({ kind: 'notice', id: newId('notice'), level: 'error', text: `Something went wrong: ${describeError(error)}` });
    } finally {
      gate.dispose();
      this.turn = undefined;
      session.setBusy('idle');
      this.postStatus();
      finish();
    }
  }

  private async decide(actionId: string, decision: UserDecision): Promise<void> {
    if (this.turn?.gate.settle(actionId, decision)) return;
    // Not pending in a running turn: an action left pending by a reload gets a decision here;
    // anything else (a second click, a forged id) is ignored.
    const entry = this.session.entry(actionId);
    if (!this.turnComing && entry?.kind === 'action' && entry.status === 'pending') {
      await this.queueTurn(() => (this.turn ? Promise.resolve() : this.decideOrphan(entry.id, entry.code, decision)));
      return;
    }
    this.services.logger.warn('Chat', `ignored a decision for action ${actionId}: it is not waiting for one`);
  }

  /**
   * An action that was waiting for approval when the window reloaded: its turn is gone. A
   * decision resumes the conversation with a new turn that tells the model what happened.
   */
  private async decideOrphan(actionId: string, proposedCode: string, decision: UserDecision): Promise<void> {
    const entry = this.session.entry(actionId);
    // Two decisions can queue before the first is applied (a double click): only one counts.
    if (entry?.kind !== 'action' || entry.status !== 'pending') return;
    // The conversation was saved with the proposal: the decision is applied as if its turn had
    // never stopped (Run runs the code the card shows, once).
    const last = this.session.conversation.entries.at(-1);
    if (last?.kind === 'reply' && last.actionId === actionId) {
      const resumed: ApprovalDecision =
        decision.kind === 'approve' ? { kind: 'run', code: decision.code, edited: decision.code !== proposedCode } : decision;
      // Its findings were not kept across the reload: what it did to the kernel is unknown.
      await this.runTurn(undefined, { actionId, decision: resumed });
      return;
    }
    // Chats saved before proposals were kept in the conversation: ask the model again.
    switch (decision.kind) {
      case 'skip':
        this.session.replace({ ...entry, status: 'skipped' });
        return;
      case 'reject':
        this.session.replace({ ...entry, status: 'rejected', ...(decision.feedback ? { feedback: decision.feedback } : {}) });
        if (decision.feedback.trim()) await this.runTurn(`I rejected your last proposed action. ${decision.feedback}`);
        return;
      case 'approve': {
        this.session.replace({ ...entry, status: 'cancelled' });
        const edited = decision.code !== proposedCode ? ' (edited by me)' : '';
        const text = `Run the action you proposed before the window reloaded${edited}:\n\n\`\`\`python\n${decision.code}\n\`\`\``;
        this.session.add({ kind: 'user', id: newId('user'), text });
        await this.runTurn(text);
        return;
      }
    }
  }

  /** What the chat header shows: the notebook and kernel the next action runs in, and the model. */
  headerState(): ChatHeader {
    const next = this.target.next();
    return {
      notebook: this.target.label(),
      // Also for a notebook not open yet (right after a reload): the kernel that will run it.
      kernel: this.services.kernels.describe(next.document),
      model: readSettings().model,
    };
  }

  private postSnapshot(): void {
    this.services.view.post({ type: 'snapshot', snapshot: this.session.snapshot(this.headerState(), this.pastChats, vscode.workspace.isTrusted) });
  }

  private postStatus(): void {
    this.services.view.post({
      type: 'status',
      busy: this.session.busy,
      header: this.headerState(),
      usage: this.session.usage,
      allowAllInChat: this.session.allowAllInChat,
    });
  }

  /** Saves the chat (the store coalesces rapid saves) and keeps the past-chats list current. */
  private persist(session: ChatSession): void {
    if (session.isEmpty || this.closing) return;
    if (session === this.session && this.services.memento.get(LAST_CHAT_KEY) !== session.id) void this.services.memento.update(LAST_CHAT_KEY, session.id);
    const summary: ChatSummary = { id: session.id, title: session.title, updatedAt: Date.now() };
    this.pastChats = [summary, ...this.pastChats.filter((chat) => chat.id !== session.id)];
    this.services.store.save(session.toStored()).then(
      () => this.saveFailures.delete(session.id),
      (error: unknown) => {
        if (error instanceof ChatStoreError && error.kind === 'conflict') {
          this.keepBothSides(session, error.chatId);
          return;
        }
        this.services.logger.error('Store', `could not save chat ${session.id}`, error);
        // Say it once per chat, not once per change; the next successful save clears it.
        if (this.saveFailures.has(session.id)) return;
        this.saveFailures.add(session.id);
        void vscode.window.showWarningMessage(vscode.l10n.t('CodeAct could not save this chat: {0}', describeError(error)));
      },
    );
  }

  /**
   * Another window saved this chat since this one read it (the same chat open in two windows).
   * Theirs keeps the chat's place; this window's side goes on as a copy, so neither is lost.
   */
  private keepBothSides(session: ChatSession, chatId: string | undefined): void {
    if (session.id !== chatId) return; // an earlier save already moved it to its copy
    this.services.logger.warn('Store', `chat ${chatId} was saved by another window; this window goes on in a copy`);
    const original = session.title;
    session.continueAsCopy(
      vscode.l10n.t('This chat was also changed in another window. Its version stays in Past chats as "{0}"; this window goes on here, in a copy.', original),
    );
    // Found while the window closes (its last save), the copy is written all the same: it is
    // this window's only record of what changed.
    if (this.closing) {
      this.services.store.save(session.toStored()).catch((error: unknown) => this.services.logger.error('Store', `could not save chat ${session.id}`, error));
      return;
    }
    void this.refreshPastChats().then(() => {
      if (this.session === session) this.postSnapshot();
    });
  }

  private async refreshPastChats(): Promise<void> {
    const { chats, problems } = await this.services.store.list();
    this.pastChats = chats;
    const fresh = problems.filter((problem) => !this.reportedProblems.has(problem));
    for (const problem of fresh) {
      this.reportedProblems.add(problem);
      this.services.logger.warn('Store', problem);
    }
    // Said once per damaged file: the file is left as it is, so nothing more is lost.
    if (fresh.length > 0) {
      const showLog = vscode.l10n.t('Show Log');
      const text = vscode.l10n.t('CodeAct could not read {0} saved chat(s); they are left untouched on disk and missing from Past chats.', fresh.length);
      void vscode.window.showWarningMessage(text, showLog).then((choice) => (choice ? vscode.commands.executeCommand('codeact.showLog') : undefined));
    }
  }
}

/** This window's workspace as chats remember it: its .code-workspace file, else its first folder. */
function currentWorkspaceKey(): string {
  return (vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString() ?? '';
}
