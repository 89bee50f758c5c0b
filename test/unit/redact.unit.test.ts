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

  it('masks Jupyter token headers, credentials in URLs, and the key formats of other providers', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['GET /api/kernels with Authorization: token 0123abcd4567ef', '0123abcd4567ef'],
      ['authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
      ['turn started at https://alice:s3cretpw@llm.example.com/v1', 's3cretpw'],
      ['connecting to http://gpu-box:8888/lab?token=9f8e7d6c5b4a3928&x=1', '9f8e7d6c5b4a3928'],
      ['Groq key gsk_AbCdEfGhIjKlMnOpQrStUvWx0123 rejected', 'gsk_AbCdEfGhIjKlMnOpQrStUvWx0123'],
      ['using hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345', 'hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345'],
      ['Gemini: AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv'],
      ['x-api-key: ant-0123456789abcdef', 'ant-0123456789abcdef'],
    ];
    for (const [line, secret] of cases) {
      const masked = redactSecrets(line);
      assert.ok(!masked.includes(secret), `${line} -> ${masked}`);
    }
    // What the line is about stays readable.
    assert.equal(redactSecrets('turn started at https://alice:s3cretpw@llm.example.com/v1'), 'turn started at https://[redacted]@llm.example.com/v1');
  });

  it('leaves ordinary text alone', () => {
    assert.equal(redactSecrets('ran 3 cells in 120 ms'), 'ran 3 cells in 120 ms');
  });
});
