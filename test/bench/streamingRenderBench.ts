import type { BenchResult } from './bench.entry';

/** Streaming render in Chromium: filled in with the webview renderer's page helper. */
export async function measureStreamingRender(): Promise<BenchResult[]> {
  return Promise.resolve([]);
}
