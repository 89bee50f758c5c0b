import * as assert from 'node:assert/strict';
import { WebviewLoadWatchdog } from '../../../src/chat/webviewLoadWatchdog';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A view whose script starts only when the test says so, recording what the watchdog did. */
function fakeView(delaysMs: number[]) {
  const state = { visible: true, loaded: false, reloads: [] as { attempt: number; at: number }[], gaveUp: 0 };
  const started = Date.now();
  const watchdog = new WebviewLoadWatchdog({
    delaysMs,
    isVisible: () => state.visible,
    isLoaded: () => state.loaded,
    reload: (attempt) => state.reloads.push({ attempt, at: Date.now() - started }),
    giveUp: () => (state.gaveUp += 1),
  });
  return { state, watchdog };
}

describe('WebviewLoadWatchdog: a chat view whose script never started is loaded again', () => {
  it('reloads a visible view that never says ready, waiting longer each time, then gives up once', async () => {
    const { state, watchdog } = fakeView([20, 40, 80]);
    watchdog.arm();
    await sleep(400);
    assert.deepEqual(
      state.reloads.map((r) => r.attempt),
      [1, 2, 3],
    );
    const gaps = state.reloads.map((r, i) => r.at - (state.reloads[i - 1]?.at ?? 0));
    assert.ok((gaps[1] ?? 0) >= 35 && (gaps[2] ?? 0) >= 75, `each wait is longer than the one before: ${gaps.join(', ')} ms`);
    assert.equal(state.gaveUp, 1, 'the user is told once that the view did not load');
    watchdog.arm();
    await sleep(120);
    assert.equal(state.reloads.length, 3, 'no reload loop after giving up');
    assert.equal(state.gaveUp, 1);
    watchdog.dispose();
  });

  it('leaves a view alone once its script said ready', async () => {
    const { state, watchdog } = fakeView([30, 30]);
    watchdog.arm();
    await sleep(10);
    state.loaded = true;
    watchdog.loaded();
    await sleep(120);
    assert.equal(state.reloads.length, 0);
    assert.equal(state.gaveUp, 0);
    watchdog.dispose();
  });

  it('stops after the reload that worked', async () => {
    const { state, watchdog } = fakeView([20, 20, 20]);
    watchdog.arm();
    await sleep(35);
    assert.equal(state.reloads.length, 1);
    state.loaded = true;
    watchdog.loaded();
    await sleep(100);
    assert.equal(state.reloads.length, 1, 'the reloaded view said ready: nothing more');
    assert.equal(state.gaveUp, 0);
    watchdog.dispose();
  });

  it('does not reload a hidden view, and waits again when it shows', async () => {
    const { state, watchdog } = fakeView([20, 20]);
    watchdog.arm();
    state.visible = false;
    watchdog.pause();
    await sleep(80);
    assert.equal(state.reloads.length, 0, 'a hidden view has no document to reload');
    state.visible = true;
    watchdog.arm();
    await sleep(30);
    assert.equal(state.reloads.length, 1, 'shown again and still not ready: reloaded');
    watchdog.dispose();
  });

  it('gives a view that loaded and was later rebuilt all its attempts again', async () => {
    const { state, watchdog } = fakeView([15, 15]);
    watchdog.arm();
    await sleep(60);
    assert.equal(state.gaveUp, 1);
    state.loaded = true;
    watchdog.loaded();
    state.loaded = false; // hidden and shown: a new document that must say ready again
    state.reloads.length = 0;
    watchdog.arm();
    await sleep(25);
    assert.equal(state.reloads.length, 1, 'the new document is watched again');
    watchdog.dispose();
  });

  it('still gives up when each reload hides and shows the view (a new frame each time)', async () => {
    const state = { visible: true, reloads: 0, gaveUp: 0 };
    const watchdog: WebviewLoadWatchdog = new WebviewLoadWatchdog({
      delaysMs: [15, 15, 15],
      isVisible: () => state.visible,
      isLoaded: () => false,
      reload: () => {
        // The chat view rebuilds its frame by hiding the view and showing it again.
        state.reloads += 1;
        state.visible = false;
        watchdog.pause();
        state.visible = true;
        watchdog.arm();
      },
      giveUp: () => (state.gaveUp += 1),
    });
    watchdog.arm();
    await sleep(150);
    assert.equal(state.reloads, 3, 'one new frame per attempt, however often the view was shown again');
    assert.equal(state.gaveUp, 1);
    watchdog.dispose();
  });

  it('does nothing after dispose', async () => {
    const { state, watchdog } = fakeView([10]);
    watchdog.arm();
    watchdog.dispose();
    await sleep(40);
    assert.equal(state.reloads.length, 0);
    assert.equal(state.gaveUp, 0);
  });
});
