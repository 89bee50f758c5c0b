import * as assert from 'node:assert/strict';
import { abortableSleep, AbortedError, raceAbort } from '../../../src/shared/abort';

describe('abort helpers', () => {
  it('abortableSleep waits, or rejects at once on abort', async () => {
    await abortableSleep(5, new AbortController().signal);
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(10_000, controller.signal);
    controller.abort();
    await assert.rejects(sleeping, AbortedError);
    assert.ok(Date.now() - started < 1_000);
    await assert.rejects(abortableSleep(1, controller.signal), AbortedError);
  });

  it('raceAbort settles like the promise, or rejects on abort', async () => {
    assert.equal(await raceAbort(Promise.resolve(1), new AbortController().signal), 1);
    await assert.rejects(raceAbort(Promise.reject(new Error('boom')), new AbortController().signal), /boom/);
    const controller = new AbortController();
    const pending = raceAbort(new Promise(() => undefined), controller.signal);
    controller.abort();
    await assert.rejects(pending, AbortedError);
  });
});
