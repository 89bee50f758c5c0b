import * as assert from 'node:assert/strict';
import {
  describeModelFailure,
  failureFromHttp,
  failureFromNetworkCodes,
  type ModelFailure,
  networkCodesOf,
  parseRetryAfterMs,
} from '../../../src/llm/modelFailure';
import { DEFAULT_RETRY_POLICY, isTransient, retryDelayMs } from '../../../src/llm/retryPolicy';

const endpoint = { baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1' };

describe('model failures', () => {
  describe('failureFromHttp', () => {
    const cases: [number, string | undefined, string | undefined, ModelFailure['kind']][] = [
      [401, 'Incorrect API key provided', 'invalid_api_key', 'auth'],
      [403, 'forbidden', undefined, 'forbidden'],
      [404, 'The model `x` does not exist', 'model_not_found', 'modelNotFound'],
      [429, 'Rate limit reached', 'rate_limit_exceeded', 'rateLimited'],
      [429, 'You exceeded your current quota', 'insufficient_quota', 'quotaExceeded'],
      [429, 'You exceeded your current quota, please check your plan', undefined, 'quotaExceeded'],
      [400, "This model's maximum context length is 8192 tokens", undefined, 'contextTooLong'],
      [400, 'x', 'context_length_exceeded', 'contextTooLong'],
      [400, 'Invalid value for temperature', undefined, 'badRequest'],
      [422, 'unprocessable', undefined, 'badRequest'],
      [408, undefined, undefined, 'timeout'],
      [500, 'oops', undefined, 'server'],
      [503, undefined, undefined, 'server'],
    ];
    for (const [status, message, code, kind] of cases) {
      it(`${status} ${code ?? message ?? ''} → ${kind}`, () => assert.equal(failureFromHttp(status, message, code, undefined).kind, kind));
    }

    it('keeps the server message and Retry-After', () => {
      assert.deepEqual(failureFromHttp(429, 'slow down', undefined, 2000), { kind: 'rateLimited', status: 429, serverMessage: 'slow down', retryAfterMs: 2000 });
    });
  });

  describe('network errors', () => {
    const cases: [string[], string, ModelFailure['kind']][] = [
      [['ECONNREFUSED'], 'connect ECONNREFUSED', 'unreachable'],
      [['ENOTFOUND'], 'getaddrinfo ENOTFOUND', 'unreachable'],
      [['EHOSTUNREACH'], '', 'unreachable'],
      [['UND_ERR_SOCKET'], 'other side closed', 'connectionLost'],
      [['ECONNRESET'], 'read ECONNRESET', 'connectionLost'],
      [['ETIMEDOUT'], '', 'timeout'],
      [[], 'terminated', 'connectionLost'],
      [[], 'bad port', 'unreachable'],
      [[], 'fetch failed', 'unreachable'],
    ];
    for (const [codes, message, kind] of cases) {
      it(`${codes.join(',') || message} → ${kind}`, () => assert.equal(failureFromNetworkCodes(codes, message).kind, kind));
    }

    it('collects codes along the cause chain and from AggregateErrors', () => {
      const inner = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
      const aggregate = new AggregateError([Object.assign(new Error('v6'), { code: 'EADDRNOTAVAIL' })], 'all failed');
      const outer = new TypeError('fetch failed', { cause: Object.assign(new Error('mid'), { cause: inner }) });
      assert.deepEqual(networkCodesOf(outer), ['ECONNREFUSED']);
      assert.deepEqual(networkCodesOf(new TypeError('x', { cause: aggregate })), ['EADDRNOTAVAIL']);
      const loop: { cause?: unknown; code: string } = { code: 'A' };
      loop.cause = loop;
      assert.deepEqual(networkCodesOf(loop), ['A']);
    });
  });

  describe('parseRetryAfterMs', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    it('reads seconds, fractional seconds, milliseconds and HTTP dates', () => {
      assert.equal(parseRetryAfterMs(null, '2', now), 2000);
      assert.equal(parseRetryAfterMs(null, '0.5', now), 500);
      assert.equal(parseRetryAfterMs('1500', '9', now), 1500);
      assert.equal(parseRetryAfterMs(undefined, 'Wed, 01 Jan 2025 00:00:03 GMT', now), 3000);
      assert.equal(parseRetryAfterMs(undefined, 'Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
    });

    it('ignores what it cannot read', () => {
      assert.equal(parseRetryAfterMs(null, null, now), undefined);
      assert.equal(parseRetryAfterMs('soon', 'later', now), undefined);
    });
  });

  describe('describeModelFailure (what the user reads)', () => {
    it('401 says the key was rejected and how to set one', () => {
      const text = describeModelFailure({ kind: 'auth', status: 401, serverMessage: 'Incorrect API key provided' }, endpoint);
      assert.match(text, /^The API key was rejected by 127\.0\.0\.1:11434 \(401: Incorrect API key provided\)/);
      assert.match(text, /CodeAct: Set API Key/);
    });

    it('404 names the model and the server, and hints at the base URL', () => {
      const text = describeModelFailure({ kind: 'modelNotFound', status: 404 }, endpoint);
      assert.match(text, /has no model "llama3\.1"/);
      assert.match(text, /http:\/\/127\.0\.0\.1:11434\/v1/);
      assert.match(text, /ends in \/v1/);
    });

    it('an unreachable server is named with the question the user needs', () => {
      assert.equal(
        describeModelFailure({ kind: 'unreachable', networkCode: 'ECONNREFUSED' }, endpoint),
        'Cannot reach http://127.0.0.1:11434/v1 — is the server running? (ECONNREFUSED)',
      );
    });

    it('mentions the retries that were made', () => {
      assert.match(describeModelFailure({ kind: 'server', status: 503 }, endpoint, 4), /HTTP 503 \(after 4 retries\)/);
      assert.match(describeModelFailure({ kind: 'rateLimited', status: 429, retryAfterMs: 120_000 }, endpoint, 1), /\(after 1 retry\); it asks to wait 120 s/);
    });

    it('has a message for every kind', () => {
      const kinds: ModelFailure['kind'][] = ['auth', 'forbidden', 'modelNotFound', 'rateLimited', 'quotaExceeded', 'contextTooLong', 'badRequest', 'server', 'unreachable', 'connectionLost', 'timeout', 'aborted', 'unknown'];
      for (const kind of kinds) assert.ok(describeModelFailure({ kind }, endpoint).length > 5, kind);
    });
  });
});

describe('retry policy', () => {
  const fixed = (): number => 0.5; // no jitter

  it('retries only transient failures', () => {
    const transient: ModelFailure[] = [{ kind: 'rateLimited' }, { kind: 'server', status: 500 }, { kind: 'server', status: 503 }, { kind: 'connectionLost' }, { kind: 'timeout' }];
    const final: ModelFailure[] = [{ kind: 'auth' }, { kind: 'modelNotFound' }, { kind: 'quotaExceeded' }, { kind: 'badRequest' }, { kind: 'unreachable' }, { kind: 'aborted' }, { kind: 'server', status: 501 }, { kind: 'contextTooLong' }];
    for (const f of transient) assert.equal(isTransient(f), true, JSON.stringify(f));
    for (const f of final) assert.equal(retryDelayMs(f, 0, 0, DEFAULT_RETRY_POLICY, fixed), undefined, JSON.stringify(f));
  });

  it('backs off exponentially up to the cap', () => {
    const delays = [0, 1, 2, 3].map((n) => retryDelayMs({ kind: 'server', status: 500 }, n, 0, { ...DEFAULT_RETRY_POLICY, maxTotalWaitMs: 1e9 }, fixed));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
    assert.equal(retryDelayMs({ kind: 'timeout' }, 3, 0, { ...DEFAULT_RETRY_POLICY, maxDelayMs: 5000, maxTotalWaitMs: 1e9 }, fixed), 5000);
  });

  it('jitters by at most a quarter', () => {
    assert.equal(retryDelayMs({ kind: 'timeout' }, 0, 0, DEFAULT_RETRY_POLICY, () => 0), 750);
    assert.equal(retryDelayMs({ kind: 'timeout' }, 0, 0, DEFAULT_RETRY_POLICY, () => 0.999999), 1250);
  });

  it('honours Retry-After exactly', () => {
    assert.equal(retryDelayMs({ kind: 'rateLimited', retryAfterMs: 3000 }, 0, 0, DEFAULT_RETRY_POLICY, fixed), 3000);
    assert.equal(retryDelayMs({ kind: 'rateLimited', retryAfterMs: 0 }, 0, 0, DEFAULT_RETRY_POLICY, fixed), 0);
  });

  it('gives up when the server asks for too long a wait', () => {
    assert.equal(retryDelayMs({ kind: 'rateLimited', retryAfterMs: 3_600_000 }, 0, 0, DEFAULT_RETRY_POLICY, fixed), undefined);
  });

  it('stops after the retry count and the total wait', () => {
    assert.equal(retryDelayMs({ kind: 'timeout' }, DEFAULT_RETRY_POLICY.maxRetries, 0, DEFAULT_RETRY_POLICY, fixed), undefined);
    assert.equal(retryDelayMs({ kind: 'timeout' }, 1, 59_000, DEFAULT_RETRY_POLICY, fixed), undefined);
  });
});
