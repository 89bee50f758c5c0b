import * as assert from 'node:assert/strict';
import { parseWebviewMessage, MAX_WEBVIEW_TEXT } from '../../src/shared/protocol';

describe('parseWebviewMessage (the host accepts only well-formed webview messages)', () => {
  it('accepts each well-formed message and keeps only its declared fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'sendMessage', text: 'plot revenue', extra: 'dropped' }), {
      type: 'sendMessage',
      text: 'plot revenue',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'approveAction', actionId: 'a1', code: 'print(1)' }), {
      type: 'approveAction',
      actionId: 'a1',
      code: 'print(1)',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'setAllowAllInChat', enabled: true }), {
      type: 'setAllowAllInChat',
      enabled: true,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'changeHeader', target: 'kernel' }), {
      type: 'changeHeader',
      target: 'kernel',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'retryTurn', userText: 'forged' }), { type: 'retryTurn' }, 'a retry carries nothing the host would use');
    assert.deepEqual(parseWebviewMessage({ type: 'applyNoticeFix', fix: 'setApiKey' }), { type: 'applyNoticeFix', fix: 'setApiKey' });
    for (const fix of ['workbench.action.terminal.sendSequence', 'toString', '__proto__', 42]) {
      assert.equal(parseWebviewMessage({ type: 'applyNoticeFix', fix }), undefined, `a notice fix is one of ours, not ${String(fix)}`);
    }
  });

  it('rejects forged or malformed messages', () => {
    const forged: unknown[] = [
      undefined,
      null,
      42,
      'sendMessage',
      [],
      {},
      { type: 'runCode', code: 'import os' },
      { type: 'toString' },
      { type: '__proto__' },
      { type: 'sendMessage' },
      { type: 'sendMessage', text: 7 },
      { type: 'approveAction', actionId: 'a1' },
      { type: 'approveAction', actionId: ['a1'], code: 'x' },
      { type: 'setAllowAllInChat', enabled: 'yes' },
      { type: 'changeHeader', target: 'filesystem' },
      { type: 'sendMessage', text: 'x'.repeat(MAX_WEBVIEW_TEXT + 1) },
    ];
    for (const message of forged) {
      assert.equal(parseWebviewMessage(message), undefined, `accepted ${JSON.stringify(message)?.slice(0, 80)}`);
    }
  });
});
