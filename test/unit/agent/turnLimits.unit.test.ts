import * as assert from 'node:assert/strict';
import type { ObservationStatus } from '../../../src/agent/agentPorts';
import {
  afterActionNotRun,
  afterActionRan,
  afterMalformedReply,
  checkProposal,
  isFailedStatus,
  NEW_TURN,
  normalizeCode,
  tooManyFailures,
} from '../../../src/agent/turnLimits';

describe('turn limits', () => {
  describe('normalizeCode (what counts as the same action)', () => {
    it('ignores line endings, trailing spaces, blank lines, comments and common indentation', () => {
      const a = 'import math\n\nprint(math.pi)   \n';
      const b = '    # compute pi\r\n    import math\r\n    print(math.pi)';
      assert.equal(normalizeCode(a), normalizeCode(b));
    });

    it('keeps real differences', () => {
      assert.notEqual(normalizeCode('print(1)'), normalizeCode('print(2)'));
      assert.notEqual(normalizeCode('if x:\n    y()'), normalizeCode('if x:\ny()'));
    });

    it('handles code that is only comments', () => {
      assert.equal(normalizeCode('# nothing\n\n'), '');
    });
  });

  describe('checkProposal', () => {
    it('allows the first action', () => {
      assert.equal(checkProposal(NEW_TURN, 'print(1)', 20), 'allowed');
    });

    it('refuses the same code as the previous action', () => {
      const counters = afterActionRan(NEW_TURN, 'print(1)', 'ok');
      assert.equal(checkProposal(counters, '  print(1)  \n', 20), 'repeatedAction');
      assert.equal(checkProposal(counters, 'print(2)', 20), 'allowed');
    });

    it('counts a skipped or rejected action as the previous one', () => {
      const counters = afterActionNotRun(NEW_TURN, 'rm_all()');
      assert.equal(checkProposal(counters, 'rm_all()', 20), 'repeatedAction');
      assert.equal(counters.actionsRun, 0);
    });

    it('refuses an action past the limit', () => {
      let counters = NEW_TURN;
      for (let i = 0; i < 3; i++) counters = afterActionRan(counters, `step(${i})`, 'ok');
      assert.equal(checkProposal(counters, 'step(3)', 3), 'maxActions');
      assert.equal(checkProposal(counters, 'step(3)', 4), 'allowed');
    });
  });

  describe('consecutive failures', () => {
    const statuses: [ObservationStatus, boolean][] = [
      ['ok', false],
      ['error', true],
      ['timeout', true],
      ['died', true],
      ['interrupted', false],
      ['cancelled', false],
    ];
    for (const [status, failed] of statuses) {
      it(`'${status}' ${failed ? 'counts' : 'does not count'} as a failure`, () => assert.equal(isFailedStatus(status), failed));
    }

    it('counts failures in a row and resets on success', () => {
      let counters = afterActionRan(NEW_TURN, 'a', 'error');
      counters = afterActionRan(counters, 'b', 'error');
      assert.equal(tooManyFailures(counters, 3), false);
      counters = afterActionRan(counters, 'c', 'error');
      assert.equal(tooManyFailures(counters, 3), true);
      counters = afterActionRan(counters, 'd', 'ok');
      assert.equal(counters.consecutiveFailures, 0);
    });

    it('counts an unusable reply as a failed attempt', () => {
      const counters = afterMalformedReply(afterMalformedReply(afterActionRan(NEW_TURN, 'a', 'error')));
      assert.equal(tooManyFailures(counters, 3), true);
      assert.equal(counters.actionsRun, 1);
    });
  });
});
