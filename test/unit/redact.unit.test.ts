import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../src/shared/redact';

describe('redactSecrets (keys never reach the log)', () => {
  it('masks OpenAI-style keys, bearer tokens and key=value pairs', () => {
    const line = 'POST with sk-proj-abcdefghijklmnop and Authorization: Bearer abc.def.ghijklmnop, api_key="zyxwvutsrq"';
    const masked = redactSecrets(line);
    assert.ok(!masked.includes('abcdefghijklmnop'), masked);
    assert.ok(!masked.includes('abc.def.ghijklmnop'), masked);
    assert.ok(!masked.includes('zyxwvutsrq'), masked);
    assert.match(masked, /\[redacted\]/);
  });

  it('leaves ordinary text alone', () => {
    assert.equal(redactSecrets('ran 3 cells in 120 ms'), 'ran 3 cells in 120 ms');
  });
});
