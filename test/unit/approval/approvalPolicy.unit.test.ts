import * as assert from 'node:assert/strict';
import { type ApprovalInput, type ApprovalVerdict, checkApproval } from '../../../src/agent/approvalPolicy';
import type { RiskFinding } from '../../../src/agent/riskAnalyzer';
import { type InvisibleCharacterFinding, findInvisibleCharacters } from '../../../src/shared/invisibleCharacters';

const RISKS: readonly RiskFinding[] = [
  { category: 'deletesFiles', reason: 'deletes files (shutil.rmtree)', line: 2 },
  { category: 'runsShell', reason: 'runs shell commands (os.system)', line: 3 },
  { category: 'deletesFiles', reason: 'deletes files (shutil.rmtree)', line: 5 },
];
// A right-to-left override in a comment: the line reads "return" on screen.
const HIDDEN: readonly InvisibleCharacterFinding[] = findInvisibleCharacters('x = 1\nprint(x)\n# \u202Enruter\n');
const CAP = 3;

/** The rules as the settings describe them, written independently of the implementation's order. */
function expectedCause(input: ApprovalInput): ApprovalVerdict['cause'] {
  if (!input.workspaceTrusted) return 'untrustedWorkspace';
  const autoApproving = input.autoApproveSetting || input.allowAllInChat;
  if (!autoApproving) return 'approvalRequired';
  if (input.invisibleCharacters.length > 0) return 'invisibleCharacters';
  if (input.risks.length > 0 && input.riskyCodeAlwaysAsks) return 'riskyCode';
  if (input.autoApprovedInTask >= input.autoApproveMaxActions) return 'autoApproveLimit';
  return input.allowAllInChat ? 'allowAllInChat' : 'autoApproveSetting';
}

const KIND_OF: Readonly<Record<ApprovalVerdict['cause'], ApprovalVerdict['kind']>> = {
  untrustedWorkspace: 'deny',
  approvalRequired: 'ask',
  riskyCode: 'ask',
  invisibleCharacters: 'ask',
  autoApproveLimit: 'ask',
  allowAllInChat: 'autoRun',
  autoApproveSetting: 'autoRun',
};

function allInputs(): ApprovalInput[] {
  const inputs: ApprovalInput[] = [];
  const booleans = [false, true];
  for (const workspaceTrusted of booleans)
    for (const risky of booleans)
      for (const hidden of booleans)
        for (const autoApproveSetting of booleans)
          for (const allowAllInChat of booleans)
            for (const autoApprovedInTask of [0, CAP - 1, CAP, CAP + 1])
              for (const riskyCodeAlwaysAsks of booleans)
                inputs.push({
                  workspaceTrusted,
                  risks: risky ? RISKS : [],
                  invisibleCharacters: hidden ? HIDDEN : [],
                  autoApproveSetting,
                  allowAllInChat,
                  autoApprovedInTask,
                  autoApproveMaxActions: CAP,
                  riskyCodeAlwaysAsks,
                });
  return inputs;
}

const base: ApprovalInput = {
  workspaceTrusted: true,
  risks: [],
  invisibleCharacters: [],
  autoApproveSetting: true,
  allowAllInChat: false,
  autoApprovedInTask: 0,
  autoApproveMaxActions: CAP,
  riskyCodeAlwaysAsks: true,
};

describe('approval policy', () => {
  describe('every combination', () => {
    for (const input of allInputs()) {
      const name = `trusted=${input.workspaceTrusted} risky=${input.risks.length > 0} hidden=${input.invisibleCharacters.length > 0} auto=${input.autoApproveSetting} allowAll=${input.allowAllInChat} count=${input.autoApprovedInTask}/${CAP} riskyAsks=${input.riskyCodeAlwaysAsks}`;
      it(name, () => {
        const verdict = checkApproval(input);
        const cause = expectedCause(input);
        assert.equal(verdict.cause, cause);
        assert.equal(verdict.kind, KIND_OF[cause]);
        assert.ok(verdict.reason.length > 0);
      });
    }
  });

  it('denies in an untrusted workspace whatever else is set, and says to trust the folder', () => {
    const verdict = checkApproval({ ...base, workspaceTrusted: false, allowAllInChat: true });
    assert.equal(verdict.kind, 'deny');
    assert.match(verdict.reason, /untrusted workspace/);
    assert.match(verdict.reason, /Trust the folder/);
  });

  it('lists each risk once when risky code asks', () => {
    const verdict = checkApproval({ ...base, risks: RISKS });
    assert.equal(verdict.cause, 'riskyCode');
    assert.match(verdict.reason, /deletes files \(shutil\.rmtree\); runs shell commands \(os\.system\)\.$/);
    assert.equal(verdict.reason.split('shutil.rmtree').length, 2);
  });

  it('names the limit when the cap is reached, and mentions it alongside risks', () => {
    const capped = checkApproval({ ...base, autoApprovedInTask: CAP });
    assert.equal(capped.cause, 'autoApproveLimit');
    assert.match(capped.reason, /3 actions already ran without asking.*limit is 3/);
    const both = checkApproval({ ...base, autoApprovedInTask: CAP, risks: RISKS });
    assert.equal(both.cause, 'riskyCode');
    assert.match(both.reason, /deletes files/);
    assert.match(both.reason, /limit is 3/);
  });

  it('runs risky code without asking only when riskyCodeAlwaysAsks is off', () => {
    assert.equal(checkApproval({ ...base, risks: RISKS, riskyCodeAlwaysAsks: false }).kind, 'autoRun');
  });

  it('asks for invisible or direction-changing characters under auto-approve and "Allow all", whatever the risk setting', () => {
    for (const settings of [{ autoApproveSetting: true }, { autoApproveSetting: false, allowAllInChat: true }]) {
      const verdict = checkApproval({ ...base, ...settings, invisibleCharacters: HIDDEN, riskyCodeAlwaysAsks: false });
      assert.equal(verdict.kind, 'ask');
      assert.equal(verdict.cause, 'invisibleCharacters');
      assert.match(verdict.reason, /contains invisible or direction-changing characters \(U\+202E at line 3\)/);
    }
    const both = checkApproval({ ...base, invisibleCharacters: HIDDEN, risks: RISKS, autoApprovedInTask: CAP });
    assert.equal(both.cause, 'invisibleCharacters');
    assert.match(both.reason, /U\+202E.*deletes files.*limit is 3/s, 'the risks and the limit are still said');
  });

  it('asks when the count or cap is not a number (fails closed)', () => {
    assert.equal(checkApproval({ ...base, autoApprovedInTask: Number.NaN }).kind, 'ask');
    assert.equal(checkApproval({ ...base, autoApproveMaxActions: Number.NaN }).kind, 'ask');
    assert.equal(checkApproval({ ...base, autoApproveMaxActions: 0 }).kind, 'ask');
  });

  it('says which switch let the code run', () => {
    assert.match(checkApproval({ ...base, allowAllInChat: true }).reason, /Allow all in this chat/);
    assert.match(checkApproval(base).reason, /auto-approve is on/);
  });
});
