/**
 * Runs the scripted model server as its own process, for tests that drive the extension inside
 * VS Code (the server must outlive the test's module scope and be reachable by URL).
 *
 *   node out/test/model/scriptedModelServer.entry.js [--port 0] [--api-key KEY] [--model ID]...
 *        [--exit-with-stdin]
 *
 * Prints one JSON line `{"url": "...", "baseUrl": "..."}` once listening. Scripts arrive over
 * the control endpoints: POST /__script (a JSON array of replies, or { replies }), GET
 * /__requests, POST /__reset. Exits on SIGINT/SIGTERM, and with --exit-with-stdin also when its
 * stdin (a pipe from the parent) closes, so a parent that dies never leaves it running.
 */
import { startScriptedModelServer } from './scriptedModelServer';

function argValues(name: string): string[] {
  const values: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && args[i + 1] !== undefined) values.push(args[i + 1]);
  }
  return values;
}

async function main(): Promise<void> {
  const port = Number(argValues('--port')[0] ?? '0');
  const apiKey = argValues('--api-key')[0];
  const models = argValues('--model');
  const server = await startScriptedModelServer([], {
    port: Number.isFinite(port) ? port : 0,
    controlEndpoints: true,
    ...(apiKey ? { expectedApiKey: apiKey } : {}),
    ...(models.length > 0 ? { models } : {}),
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, baseUrl: server.baseUrl })}\n`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', shutdown);
    process.stdin.on('close', shutdown);
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`scripted model server failed to start: ${String(error)}\n`);
  process.exit(1);
});
