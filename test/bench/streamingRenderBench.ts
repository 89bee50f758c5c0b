// Streaming render in Chromium: a reply of 2 000 and of 20 000 tokens pushed into the chat
// webview's renderer as fast as it accepts them. Linear rendering keeps the ratio near 10;
// re-rendering the whole reply per token is quadratic and lands far above 12. The same again
// with an action running beside the reply, printing 10 000 lines at full speed: its card gets
// the host's live preview (the tail of the output) every 20 deltas, far more often than the
// host's 200 ms, so the figure stays linear only if a card update costs the same at any length.
import type { Page } from 'playwright-core';
import type { ActionPreview } from '../../src/shared/protocol';
import { launchBrowser } from '../harness/browser';
import { action, assistant, sampleReplyTokens, snapshot } from '../ui/webviewFixtures';
import { openWebviewPage, streamDeltas } from '../ui/webviewPage';
import type { BenchResult } from './bench.entry';
import { median } from './stats';

const RUNS = 3;
const LIVE_LINES = 10_000;
const LIVE_EVERY_DELTAS = 20;
/** What the host sends: the end of the output so far (see notebookActionRunner.ts). */
const LIVE_PREVIEW_CHARS = 600;

/** Streams the reply while a running action's card is updated with its growing output. */
async function streamWithLiveOutput(page: Page, entryId: string, actionId: string, deltas: readonly string[]): Promise<number> {
  const previews: ActionPreview[] = [];
  const updates = Math.ceil(deltas.length / LIVE_EVERY_DELTAS);
  for (let i = 1; i <= updates; i++) {
    const lines = Math.round((LIVE_LINES * i) / updates);
    const text = Array.from({ length: Math.min(lines, 40) }, (_, k) => `line ${lines - Math.min(lines, 40) + k + 1} of the running loop`).join('\n');
    previews.push({ text: `…${text.slice(-LIVE_PREVIEW_CHARS)}`, isError: false, images: [], truncated: true });
  }
  const card = action({ id: actionId, status: 'running', hasCell: true });
  return page.evaluate(
    ({ id, chunks, every, cardEntry, livePreviews }) => {
      const deliver = (data: unknown): void => {
        window.dispatchEvent(new MessageEvent('message', { data }));
      };
      const started = performance.now();
      chunks.forEach((delta, i) => {
        deliver({ type: 'assistantDelta', entryId: id, delta });
        if (i % every === 0) deliver({ type: 'entryUpdated', entry: { ...cardEntry, preview: livePreviews[i / every] } });
      });
      return performance.now() - started;
    },
    { id: entryId, chunks: deltas, every: LIVE_EVERY_DELTAS, cardEntry: card, livePreviews: previews },
  );
}

export async function measureStreamingRender(): Promise<BenchResult[]> {
  const browser = await launchBrowser();
  try {
    const view = await openWebviewPage(browser, { theme: 'dark', width: 420, height: 900 });
    const timeFor = async (tokens: number): Promise<number> => {
      const deltas = sampleReplyTokens(tokens);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await view.post({ type: 'snapshot', snapshot: snapshot() });
        const id = `bench-${tokens}-${run}`;
        await view.post({ type: 'entryAdded', entry: assistant(id, '', true) });
        times.push(await streamDeltas(view.page, id, deltas, deltas.join('')));
      }
      return median(times);
    };
    const timeWithLiveOutput = async (tokens: number): Promise<number> => {
      const deltas = sampleReplyTokens(tokens);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const actionId = `live-${tokens}-${run}`;
        await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [action({ id: actionId, status: 'running', hasCell: true })] }) });
        const id = `bench-live-${tokens}-${run}`;
        await view.post({ type: 'entryAdded', entry: assistant(id, '', true) });
        times.push(await streamWithLiveOutput(view.page, id, actionId, deltas));
      }
      return median(times);
    };
    await timeFor(200); // warm up the page's JIT
    const small = await timeFor(2_000);
    const large = await timeFor(20_000);
    await timeWithLiveOutput(200);
    const liveSmall = await timeWithLiveOutput(2_000);
    const liveLarge = await timeWithLiveOutput(20_000);
    await view.close();
    return [
      { name: 'streaming render: 2 000 tokens', value: small, unit: 'ms', baseline: null, ratio: null, target: 'reported', pass: true },
      { name: 'streaming render: 20 000 tokens vs 2 000', value: large, unit: 'ms', baseline: small, ratio: large / small, target: '≤ 12 (linear)', pass: large / small <= 12 },
      { name: 'streaming render with live action output: 2 000 tokens vs without', value: liveSmall, unit: 'ms', baseline: small, ratio: liveSmall / small, target: 'reported', pass: true },
      { name: 'streaming render with live action output: 20 000 tokens vs 2 000', value: liveLarge, unit: 'ms', baseline: liveSmall, ratio: liveLarge / liveSmall, target: '≤ 12 (linear)', pass: liveLarge / liveSmall <= 12 },
    ];
  } finally {
    await browser.close();
  }
}
