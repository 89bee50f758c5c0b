// Streaming render in Chromium: a reply of 2 000 and of 20 000 tokens pushed into the chat
// webview's renderer as fast as it accepts them. Linear rendering keeps the ratio near 10;
// re-rendering the whole reply per token is quadratic and lands far above 12.
import { launchBrowser } from '../harness/browser';
import { assistant, sampleReplyTokens, snapshot } from '../ui/webviewFixtures';
import { openWebviewPage, streamDeltas } from '../ui/webviewPage';
import type { BenchResult } from './bench.entry';
import { median } from './stats';

const RUNS = 3;

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
    await timeFor(200); // warm up the page's JIT
    const small = await timeFor(2_000);
    const large = await timeFor(20_000);
    await view.close();
    return [
      { name: 'streaming render: 2 000 tokens', value: small, unit: 'ms', baseline: null, ratio: null, target: 'reported', pass: true },
      { name: 'streaming render: 20 000 tokens vs 2 000', value: large, unit: 'ms', baseline: small, ratio: large / small, target: '≤ 12 (linear)', pass: large / small <= 12 },
    ];
  } finally {
    await browser.close();
  }
}
