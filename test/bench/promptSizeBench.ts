/**
 * Prompt size across a long task: a scripted 30-action turn through the real agent, the real
 * `openai` client over HTTP to the scripted model server, and the real kernel (each action
 * prints 2–8 k characters and makes a variable, so observations carry the variables line).
 * Read from what the server received:
 * - tokens sent in all, and the last and largest request against the context budget;
 * - growth: each request adds what the one before it did not have (the reply and its
 *   observation), so the sum of increments over the sum of new entries stays near 1 (a
 *   request that re-sent history would push it far above);
 * - no output twice: each action's output marker appears at most once in any request;
 * - the cache: how many requests extend the previous one unchanged, and how much of each
 *   request is the previous request byte for byte (a provider's prompt cache reuses exactly
 *   that prefix; shortening old outputs to fit the window rewrites it from there on).
 */
import { join } from 'node:path';
import { CodeActAgent } from '../../src/agent/codeActAgent';
import { emptyConversation } from '../../src/agent/conversation';
import { estimateTokens } from '../../src/agent/contextBudget';
import { buildSystemPrompt } from '../../src/agent/systemPrompt';
import { KERNEL_STATE_PROBE_CODE, parseKernelStateProbe } from '../../src/kernel/kernelStateProbe';
import { PythonKernelProcess } from '../../src/kernel/pythonKernelProcess';
import { OpenAIChatModel } from '../../src/llm/openaiChatModel';
import { DEFAULT_RETRY_POLICY } from '../../src/llm/retryPolicy';
import { startScriptedModelServer } from '../model/scriptedModelServer';
import { type ChatRequestBody, messageText, reply } from '../model/scriptedReplies';
import { kernelRunner, ScriptedApprovalGate } from '../unit/agent/agentTestKit';
import { repoRoot } from '../harness/repoRoot';
import type { BenchResult } from './bench.entry';
import { median } from './stats';

const ACTIONS = 30;
const WINDOW_TOKENS = 32_000;

export async function measurePromptSize(python: string): Promise<BenchResult[]> {
  const kernel = new PythonKernelProcess({ pythonPath: python, bridgePath: join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py'), cwd: repoRoot });
  await kernel.start();
  const server = await startScriptedModelServer();
  try {
    const sizes = Array.from({ length: ACTIONS }, (_, i) => 2_000 + ((i * 1_777) % 6_001));
    server.setScript([
      ...sizes.map((size, i) =>
        reply.text(`Step ${i + 1}: I will look at the next part of the data.\n<execute>\nchunk_${i} = 'x' * ${size}\nprint('OUTPUT-%d-START' % ${i}, chunk_${i}, 'OUTPUT-%d-END' % ${i})\n</execute>`),
      ),
      reply.text('All thirty parts are read.'),
    ]);
    const agent = new CodeActAgent({
      model: new OpenAIChatModel({ baseURL: server.baseUrl, apiKey: 'bench', model: 'scripted-model', retryPolicy: { ...DEFAULT_RETRY_POLICY, initialDelayMs: 20 } }),
      runner: kernelRunner(kernel),
      approvals: new ScriptedApprovalGate(),
      events: () => undefined,
      options: { actionFormat: 'auto', contextWindowTokens: WINDOW_TOKENS, maxActionsPerTask: ACTIONS + 5 },
      variables: async (signal) => {
        const result = await kernel.execute(KERNEL_STATE_PROBE_CODE, { silent: true, timeoutMs: 5_000, signal });
        return parseKernelStateProbe(result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join(''))?.variables;
      },
    });
    const outcome = await agent.runTurn(
      {
        conversation: emptyConversation(),
        userText: 'Read the thirty parts one by one.',
        systemPrompt: buildSystemPrompt({ actionFormat: 'auto' }),
        environment: { kernelName: 'CodeAct Python', workingDirectory: { path: repoRoot, checked: true } },
      },
      new AbortController().signal,
    );
    if (outcome.actionsRun !== ACTIONS) throw new Error(`the bench task ran ${outcome.actionsRun} actions, not ${ACTIONS} (${outcome.reason})`);
    return summarize(server.chatRequests());
  } finally {
    await server.close();
    await kernel.dispose();
  }
}

function summarize(requests: readonly ChatRequestBody[]): BenchResult[] {
  const serialized = requests.map((request) => request.messages.map((m) => `${m.role}\n${messageText(m)}`).join('\n\n'));
  const tokens = serialized.map(estimateTokens);
  const total = tokens.reduce((sum, t) => sum + t, 0);
  const largest = Math.max(...tokens);
  const last = tokens.at(-1) ?? 0;
  let duplicated = 0;
  for (const text of serialized) {
    for (let i = 0; i < ACTIONS; i++) if (text.split(`OUTPUT-${i}-START`).length - 1 > 1) duplicated += 1;
  }
  // Before the budget starts shortening old outputs, each request is the previous one plus
  // the newest reply and observation.
  const shares: number[] = [];
  let added = 0;
  let grown = 0;
  let extended = 0;
  for (let i = 1; i < serialized.length; i++) {
    const before = serialized[i - 1] ?? '';
    const now = serialized[i] ?? '';
    shares.push(commonPrefix(before, now) / now.length);
    const newest = requests[i]?.messages.slice(-2).map((m) => `${m.role}\n${messageText(m)}`).join('\n\n') ?? '';
    if (now.startsWith(before)) {
      extended += 1;
      added += newest.length;
      grown += now.length - before.length;
    }
  }
  const growth = added > 0 ? grown / added : NaN;
  const cacheable = median(shares);
  const extendedShare = extended / Math.max(1, serialized.length - 1);
  return [
    { name: `prompt tokens sent over a ${ACTIONS}-action task (all requests)`, value: total, unit: 'tokens', baseline: null, ratio: null, target: 'reported', pass: true },
    { name: 'largest request / context budget', value: largest, unit: 'tokens', baseline: WINDOW_TOKENS, ratio: largest / WINDOW_TOKENS, target: '≤ 1', pass: largest <= WINDOW_TOKENS },
    { name: 'last request / context budget', value: last, unit: 'tokens', baseline: WINDOW_TOKENS, ratio: last / WINDOW_TOKENS, target: 'reported', pass: true },
    { name: 'prompt growth per request / new reply + observation', value: grown, unit: 'chars', baseline: added, ratio: growth, target: '≤ 1.05 (linear, nothing re-sent)', pass: growth <= 1.05 },
    { name: 'outputs sent twice in one request', value: duplicated, unit: 'count', baseline: null, ratio: null, target: '0', pass: duplicated === 0 },
    { name: 'requests that extend the one before unchanged (a full prompt-cache hit)', value: extendedShare, unit: 'share', baseline: null, ratio: null, target: '≥ 0.8', pass: extendedShare >= 0.8 },
    { name: 'cacheable share of a request (same prefix as the one before, median)', value: cacheable, unit: 'share', baseline: null, ratio: null, target: 'reported', pass: true },
  ];
}

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
