import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalGate, ProposedAction } from '../agent/agentPorts';
import { checkApproval } from '../agent/approvalPolicy';
import { type RiskAnalyzer, type RiskCheckPlace, type RiskFinding, analyzeFailingClosed } from '../agent/riskAnalyzer';
import { readSettings } from '../platform/settings';
import { AbortedError } from '../shared/abort';
import { type InvisibleCharacterFinding, findInvisibleCharacters } from '../shared/invisibleCharacters';

/** A decision the user made in the chat, as the webview reported it. */
export type UserDecision =
  | { readonly kind: 'approve'; readonly code: string }
  | { readonly kind: 'skip' }
  | { readonly kind: 'reject'; readonly feedback: string };

interface PendingApproval {
  readonly action: ProposedAction;
  readonly risks: readonly RiskFinding[];
  readonly resolve: (decision: ApprovalDecision) => void;
  readonly reject: (error: Error) => void;
}

/**
 * What the gate tells the chat: an action waits for the user, with the risks and the invisible
 * or direction-changing characters found in it.
 */
export interface ApprovalPrompter {
  showPending(action: ProposedAction, risks: readonly RiskFinding[], reason: string, invisible: readonly InvisibleCharacterFinding[]): void;
}

/** Where the check judges an action's paths, as the kernel is right before it runs. */
export interface RiskPlaceSource {
  placeFor(signal: AbortSignal): Promise<RiskCheckPlace>;
}

/**
 * The approval gate on the host. Every action is read by the risky-code check (failing
 * closed), then passes the policy (untrusted workspace → never
 * runs; auto-approve rules; risky code asks); an action that asks waits on a deferred that only
 * a decision for that exact pending action settles. A decision for an action that is not
 * pending, or a second decision, is ignored. Nothing polls.
 */
export class WebviewApprovalGate implements ApprovalGate {
  private readonly pending = new Map<string, PendingApproval>();
  private autoApprovedInTask = 0;

  constructor(
    private readonly prompter: ApprovalPrompter,
    private readonly allowAllInChat: () => boolean,
    private readonly analyzer: RiskAnalyzer,
    private readonly places: RiskPlaceSource,
  ) {}

  /** A new user request starts a new count of auto-approved actions. */
  startTask(): void {
    this.autoApprovedInTask = 0;
  }

  isPending(actionId: string): boolean {
    return this.pending.has(actionId);
  }

  async decide(action: ProposedAction, signal: AbortSignal): Promise<ApprovalDecision> {
    // Checked even when every action asks: the card then explains what the code does. Not in
    // an untrusted workspace, which never runs code: the check starts the interpreter the
    // workspace's settings may name.
    const workspaceTrusted = vscode.workspace.isTrusted;
    const risks = workspaceTrusted ? await analyzeFailingClosed(this.analyzer, action.code, await this.places.placeFor(signal), signal) : [];
    if (signal.aborted) throw new AbortedError();
    const settings = readSettings();
    const invisible = findInvisibleCharacters(action.code);
    const verdict = checkApproval({
      workspaceTrusted,
      risks,
      invisibleCharacters: invisible,
      autoApproveSetting: settings.autoApprove,
      allowAllInChat: this.allowAllInChat(),
      autoApprovedInTask: this.autoApprovedInTask,
      autoApproveMaxActions: settings.autoApproveMaxActions,
      riskyCodeAlwaysAsks: settings.riskyCodeAlwaysAsks,
    });
    if (verdict.kind === 'deny') return { kind: 'deny', reason: verdict.reason };
    if (verdict.kind === 'autoRun') {
      this.autoApprovedInTask += 1;
      return { kind: 'run', code: action.code, edited: false, auto: true };
    }
    return new Promise<ApprovalDecision>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.get(action.id)?.action === action) this.pending.delete(action.id);
        reject(new AbortedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(action.id, {
        action,
        risks,
        resolve: (decision) => {
          signal.removeEventListener('abort', onAbort);
          resolve(decision);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.prompter.showPending(action, risks, verdict.reason, invisible);
    });
  }

  /** Settles a pending action; returns false (and does nothing) when it is not pending. */
  settle(actionId: string, decision: UserDecision): boolean {
    const entry = this.pending.get(actionId);
    if (!entry) return false;
    this.pending.delete(actionId);
    switch (decision.kind) {
      case 'approve':
        // The cap counts auto-approved actions in a row: the user's own approval starts it again.
        this.autoApprovedInTask = 0;
        entry.resolve({ kind: 'run', code: decision.code, edited: decision.code !== entry.action.code });
        return true;
      case 'skip':
        entry.resolve({ kind: 'skip' });
        return true;
      case 'reject':
        entry.resolve({ kind: 'reject', feedback: decision.feedback });
        return true;
    }
  }

  /** The chat went away: every pending approval ends as if stopped (nothing runs). */
  dispose(): void {
    for (const entry of this.pending.values()) entry.reject(new AbortedError());
    this.pending.clear();
  }
}
