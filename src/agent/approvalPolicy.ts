/**
 * Whether a proposed code action runs now, waits for the user, or never runs. One pure
 * decision over everything that bears on it, so every combination is tested and the gate that
 * applies it holds no rules of its own.
 */
import type { RiskFinding } from './riskAnalyzer';
import { type InvisibleCharacterFinding, invisibleCharactersReason } from '../shared/invisibleCharacters';

export interface ApprovalInput {
  /** VS Code's workspace trust: an untrusted folder never runs code. */
  readonly workspaceTrusted: boolean;
  /**
   * What the risky-code check found in the action's code: everything it could not show to be
   * harmless (it is an allowlist). A check that could not run is one finding, so this fails closed.
   */
  readonly risks: readonly RiskFinding[];
  /**
   * Direction controls and invisible characters in the code: what the card shows is then not
   * what a person reads as the code, so these ask under auto-approve whatever the risk settings.
   */
  readonly invisibleCharacters: readonly InvisibleCharacterFinding[];
  /** The user-level "run code without asking" setting (never read from a workspace). */
  readonly autoApproveSetting: boolean;
  /** The user chose "Allow all in this chat". */
  readonly allowAllInChat: boolean;
  /**
   * Actions auto-approved in the current user request. The caller resets it when a new request
   * starts, and should also reset it when the user approves an action by hand: the setting
   * promises a cap on actions auto-approved "in a row".
   */
  readonly autoApprovedInTask: number;
  /** Most actions auto-approved in a row before asking again (setting, at least 1). */
  readonly autoApproveMaxActions: number;
  /** The setting that makes risky code ask even under auto-approve. */
  readonly riskyCodeAlwaysAsks: boolean;
}

/** Why the verdict is what it is, for the UI and for tests; `reason` is the words for it. */
export type ApprovalCause = 'untrustedWorkspace' | 'approvalRequired' | 'autoApproveLimit' | 'invisibleCharacters' | 'riskyCode' | 'autoApproveSetting' | 'allowAllInChat';

export type ApprovalVerdict =
  | { readonly kind: 'deny'; readonly cause: 'untrustedWorkspace'; readonly reason: string }
  | { readonly kind: 'ask'; readonly cause: 'approvalRequired' | 'autoApproveLimit' | 'invisibleCharacters' | 'riskyCode'; readonly reason: string }
  | { readonly kind: 'autoRun'; readonly cause: 'autoApproveSetting' | 'allowAllInChat'; readonly reason: string };

/** The distinct reasons, joined for one sentence. */
function listRisks(risks: readonly RiskFinding[]): string {
  return [...new Set(risks.map((risk) => risk.reason))].join('; ');
}

/**
 * Decides one action. In order: an untrusted workspace denies (the reason tells the user to
 * trust the folder); without auto-approve or "Allow all in this chat" the user is asked;
 * invisible or direction-changing characters ask (no setting turns that off: a person cannot
 * review code they cannot see); risky code asks when `riskyCodeAlwaysAsks` is on; a full
 * auto-approve streak asks; else it runs.
 *
 * Risky code is checked before the cap so the user learns what the code does rather than
 * only that a count was reached; when both apply the reason says both. A count or cap that
 * is not a number asks (fail closed).
 */
export function checkApproval(input: ApprovalInput): ApprovalVerdict {
  if (!input.workspaceTrusted) {
    return {
      kind: 'deny',
      cause: 'untrustedWorkspace',
      reason: 'CodeAct does not run code in an untrusted workspace. Trust the folder to let actions run.',
    };
  }
  if (!input.autoApproveSetting && !input.allowAllInChat) {
    return { kind: 'ask', cause: 'approvalRequired', reason: 'Review the code, then run, edit, skip or reject it.' };
  }
  // Written as "not below" so NaN on either side asks.
  const limitReached = !(input.autoApprovedInTask < input.autoApproveMaxActions);
  const limitText = `${String(input.autoApprovedInTask)} actions already ran without asking in this request (the limit is ${String(input.autoApproveMaxActions)}).`;
  const invisible = invisibleCharactersReason(input.invisibleCharacters);
  if (invisible !== undefined) {
    const risky = input.risks.length > 0 && input.riskyCodeAlwaysAsks ? ` It also ${listRisks(input.risks)}.` : '';
    return {
      kind: 'ask',
      cause: 'invisibleCharacters',
      reason: `This code needs your approval even with auto-approve on: it ${invisible}, so what you read may not be what runs.${risky}${limitReached ? ` Also, ${limitText}` : ''}`,
    };
  }
  if (input.risks.length > 0 && input.riskyCodeAlwaysAsks) {
    return {
      kind: 'ask',
      cause: 'riskyCode',
      reason: `This code needs your approval even with auto-approve on. The check found that it ${listRisks(input.risks)}.${limitReached ? ` Also, ${limitText}` : ''}`,
    };
  }
  if (limitReached) return { kind: 'ask', cause: 'autoApproveLimit', reason: `Asking again: ${limitText}` };
  return input.allowAllInChat
    ? { kind: 'autoRun', cause: 'allowAllInChat', reason: 'Ran without asking: "Allow all in this chat" is on.' }
    : { kind: 'autoRun', cause: 'autoApproveSetting', reason: 'Ran without asking: auto-approve is on in your settings.' };
}
