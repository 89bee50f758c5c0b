/**
 * Pieces for driving the CodeAct loop in tests: the real kernel as an ActionRunner, an approval
 * gate that answers from a script (or waits, like a user who has not clicked yet), and a log of
 * the agent's events.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type {
  ActionObservation,
  ActionRunner,
  AgentEvent,
  ApprovalDecision,
  ApprovalGate,
  ProposedAction,
} from '../../../src/agent/agentPorts';
import { toObservation } from '../../../src/kernel/observation';
import { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { repoRoot } from '../../harness/codeServer';

export const PYTHON = process.env.CODEACT_TEST_PYTHON ?? '/usr/bin/python3';


/** Starts the real "CodeAct Python" kernel (ipykernel through the bridge). */
export async function startKernel(): Promise<PythonKernelProcess> {
  const kernel = new PythonKernelProcess({
    pythonPath: PYTHON,
    bridgePath: join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py'),
    cwd: repoRoot,
  });
  await kernel.start();
  return kernel;
}

/**
 * The kernel as the agent's ActionRunner: what the extension wires, minus the notebook. The
 * kernel layer's observation (text budgeted to `maxChars`, images) maps onto the agent's.
 */
export function kernelRunner(kernel: PythonKernelProcess, maxChars = 8_000): ActionRunner & { readonly ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    async run({ code }, signal): Promise<ActionObservation> {
      ran.push(code);
      const result = await kernel.execute(code, { signal, timeoutMs: 30_000 });
      const observation = toObservation(result, { maxChars });
      return {
        text: observation.text,
        status: result.status,
        images: observation.images.map((image) => ({
          mimeType: image.mime,
          dataBase64: image.base64,
          description: image.width !== undefined ? `${image.mime} image, ${image.width}x${image.height}` : `${image.mime} image`,
        })),
      };
    },
  };
}

type DecisionScript = ApprovalDecision | ((action: ProposedAction) => ApprovalDecision) | 'wait';

/** Answers approvals from a script; 'wait' never answers until the turn is stopped. */
export class ScriptedApprovalGate implements ApprovalGate {
  readonly asked: ProposedAction[] = [];
  private readonly script: DecisionScript[];

  constructor(
    script: DecisionScript[] = [],
    private readonly fallback: DecisionScript = (action) => ({ kind: 'run', code: action.code, edited: false }),
  ) {
    this.script = [...script];
  }

  decide(action: ProposedAction, signal: AbortSignal): Promise<ApprovalDecision> {
    this.asked.push(action);
    const next = this.script.shift() ?? this.fallback;
    if (next === 'wait') {
      // A pending approval: settled only by the turn's signal, as the real gate's deferred is.
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }));
    }
    return Promise.resolve(typeof next === 'function' ? next(action) : next);
  }
}

/** Records events; `of(type)` filters them with their types, `next(type)` waits for one. */
export class EventLog {
  readonly events: AgentEvent[] = [];
  private waiters: { readonly type: AgentEvent['type']; readonly resolve: (event: AgentEvent) => void }[] = [];

  readonly sink = (event: AgentEvent): void => {
    this.events.push(event);
    const ready = this.waiters.filter((w) => w.type === event.type);
    this.waiters = this.waiters.filter((w) => w.type !== event.type);
    for (const waiter of ready) waiter.resolve(event);
  };

  of<T extends AgentEvent['type']>(type: T): Extract<AgentEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
  }

  /** Resolves at the first event of `type` (already logged or still to come). */
  next<T extends AgentEvent['type']>(type: T, timeoutMs = 10_000): Promise<Extract<AgentEvent, { type: T }>> {
    const seen = this.of(type)[0];
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as Extract<AgentEvent, { type: T }>);
        },
      });
    });
  }

  /** The prose the UI would show for each reply, in order. */
  shownProse(): string[] {
    const byReply = new Map<string, string>();
    for (const event of this.events) {
      if (event.type === 'replyStarted') byReply.set(event.replyId, '');
      if (event.type === 'replyDelta') byReply.set(event.replyId, (byReply.get(event.replyId) ?? '') + event.delta);
      if (event.type === 'replyReset') byReply.set(event.replyId, '');
    }
    return [...byReply.values()];
  }
}

export function assertIncludes(text: string | undefined, part: string): void {
  assert.ok(text?.includes(part), `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}
