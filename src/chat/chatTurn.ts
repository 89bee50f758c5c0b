import type { AgentEvent, TurnEndReason } from '../agent/agentPorts';
import { type RiskFinding, riskReasons } from '../agent/riskAnalyzer';
import { type InvisibleCharacterFinding, invisibleCharactersReason } from '../shared/invisibleCharacters';
import type { ProposedAction } from '../agent/agentPorts';
import type { ModelFailureKind } from '../llm/modelFailure';
import { ActionEntry, type ActionPreview, NoticeFix, assertNever } from '../shared/protocol';
import type { ActionRunReport } from './notebookActionRunner';
import type { CellWait } from '../kernel/notebook/notebookCellRunner';
import { ChatSession, newId } from './chatSession';

/**
 * Turns the agent's events for one turn into transcript changes of a chat session: streaming
 * replies, action cards through their states, notices, usage and the busy state.
 */
export class ChatTurnPresenter {
  private readonly proposed = new Map<string, ProposedAction>();
  private readonly reports = new Map<string, ActionRunReport>();

  constructor(
    private readonly session: ChatSession,
    private readonly statusChanged: () => void,
  ) {}

  /** The gate asks the user: the action's card appears, pending. */
  showPending(action: ProposedAction, risks: readonly RiskFinding[], invisible: readonly InvisibleCharacterFinding[]): void {
    // Hidden characters first: until they are seen, nothing else on the card can be trusted.
    const hidden = invisibleCharactersReason(invisible);
    this.session.replace(this.actionEntry(action.id, { status: 'pending', risks: [...(hidden ? [hidden] : []), ...riskReasons(risks)] }));
    this.setBusy('awaitingApproval');
  }

  /** The runner finished an action: keep its preview for the card. */
  recordRun(report: ActionRunReport): void {
    this.reports.set(report.actionId, report);
  }

  /** The approved action waits (behind other code in the kernel, or for a kernel), or has started (undefined). */
  setWaiting(actionId: string, waitingFor: CellWait | undefined): void {
    const entry = this.session.entry(actionId);
    if (entry?.kind !== 'action' || (entry.status !== 'running' && entry.status !== 'waiting' && entry.status !== 'awaitingKernel')) return;
    const status = waitingFor === 'runningCell' ? 'waiting' : waitingFor === 'kernel' ? 'awaitingKernel' : 'running';
    if (entry.status !== status) this.session.replace({ ...entry, status });
  }

  /** What the running action printed so far, shown on its card until its result replaces it. */
  showLiveOutput(actionId: string, preview: ActionPreview): void {
    const entry = this.session.entry(actionId);
    if (entry?.kind === 'action' && entry.status === 'running') this.session.replace({ ...entry, preview });
  }

  handle(event: AgentEvent): void {
    switch (event.type) {
      case 'replyStarted':
        this.session.add({ kind: 'assistant', id: event.replyId, text: '', streaming: true });
        this.setBusy('streaming');
        return;
      case 'replyDelta':
        this.session.appendAssistantText(event.replyId, event.delta);
        return;
      case 'replyReset':
        this.session.replace({ kind: 'assistant', id: event.replyId, text: '', streaming: true });
        return;
      case 'replyFinished':
        this.session.replace({ kind: 'assistant', id: event.replyId, text: event.prose, streaming: false });
        return;
      case 'actionProposed':
        this.proposed.set(event.action.id, event.action);
        return;
      case 'actionDecided':
        this.session.replace(
          this.actionEntry(event.actionId, {
            status: event.status,
            code: event.code,
            ...(event.feedback ? { feedback: event.feedback } : {}),
          }),
        );
        this.setBusy(event.status === 'running' ? 'running' : 'streaming');
        return;
      case 'actionFinished': {
        const report = this.reports.get(event.actionId);
        this.session.replace(
          this.actionEntry(event.actionId, {
            status: event.status,
            durationMs: event.durationMs,
            preview: report?.preview ?? { text: event.observation.text.slice(0, 600), isError: event.observation.status !== 'ok', images: [], truncated: false },
            hasCell: report?.hasCell ?? false,
          }),
        );
        if (report?.kernelRestarted) {
          this.session.add({ kind: 'notice', id: newId('notice'), level: 'warning', text: 'The kernel was restarted since the previous action: the variables and imports from before are gone. The model was told.' });
        }
        // Whichever kernel it was, the user needs to know the variables are gone, and the one
        // button that gets a working kernel back.
        if (event.observation.status === 'died') {
          this.session.add({
            kind: 'notice',
            id: newId('notice'),
            level: 'error',
            text: 'The kernel died while running this action, so its variables and imports are lost. Restart the kernel to run more code.',
            fix: 'restartKernel',
          });
        }
        this.setBusy('streaming');
        return;
      }
      case 'notice':
        this.session.add({ kind: 'notice', id: newId('notice'), level: event.level, text: event.text });
        return;
      case 'usage':
        this.session.addUsage(event.inputTokens, event.outputTokens, event.costUsd, event.estimated);
        this.statusChanged();
        return;
      case 'contextShortened':
        this.session.add({ kind: 'notice', id: newId('notice'), level: 'info', text: event.text });
        return;
      case 'conversationChanged':
        this.session.setConversation(event.conversation);
        return;
      case 'turnEnded':
        if (event.message) {
          const retry = event.reason === 'modelError' ? { retry: true } : {};
          const fix = fixFor(event.reason, event.failure);
          this.session.add({ kind: 'notice', id: newId('notice'), level: noticeLevel(event.reason), text: event.message, ...retry, ...(fix ? { fix } : {}) });
        }
        return;
      default:
        assertNever(event);
    }
  }

  private actionEntry(actionId: string, patch: Partial<Omit<ActionEntry, 'kind' | 'id'>>): ActionEntry {
    const existing = this.session.entry(actionId);
    const base: ActionEntry =
      existing?.kind === 'action'
        ? existing
        : {
            kind: 'action',
            id: actionId,
            proposedCode: this.proposed.get(actionId)?.code ?? patch.code ?? '',
            code: this.proposed.get(actionId)?.code ?? patch.code ?? '',
            ...(this.proposed.get(actionId)?.language === 'bash' ? { language: 'bash' as const } : {}),
            status: 'pending',
            risks: [],
            hasCell: false,
          };
    return { ...base, ...patch };
  }

  private setBusy(busy: Parameters<ChatSession['setBusy']>[0]): void {
    if (this.session.busy === busy) return;
    this.session.setBusy(busy);
    this.statusChanged();
  }
}

/** The button that fixes why a turn ended, when there is one to press. */
function fixFor(reason: TurnEndReason, failure: ModelFailureKind | undefined): NoticeFix | undefined {
  if (reason === 'denied') return 'manageTrust';
  if (reason !== 'modelError') return undefined;
  switch (failure) {
    case 'auth':
      return 'setApiKey';
    case 'forbidden':
    case 'modelNotFound':
      return 'selectModel';
    case 'unreachable':
      return 'openSettings';
    default:
      return undefined;
  }
}

function noticeLevel(reason: TurnEndReason): 'info' | 'warning' | 'error' {
  switch (reason) {
    case 'answered':
    case 'stopped':
    case 'rejected':
      return 'info';
    case 'modelError':
      return 'error';
    case 'denied':
      return 'warning';
    default:
      return 'warning';
  }
}
