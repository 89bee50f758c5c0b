import type { ActionEntry } from '../src/shared/protocol';
import { assertNever } from '../src/shared/protocol';
import { formatDuration } from './format';

export interface ActionStatusView {
  readonly icon: string;
  readonly text: string;
  /** The full sentence, for a tooltip and screen readers, when `text` is shortened. */
  readonly detail?: string;
  readonly tone: 'pending' | 'running' | 'success' | 'error' | 'muted';
  readonly spin?: boolean;
}

/** What a card's header says about its action: "Awaiting approval", "Ran in 1.2 s", … */
export function actionStatusView(entry: ActionEntry): ActionStatusView {
  const took = entry.durationMs === undefined ? '' : ` in ${formatDuration(entry.durationMs)}`;
  const failed = entry.preview?.isError === true;
  const after = entry.durationMs === undefined ? '' : ` after ${formatDuration(entry.durationMs)}`;
  // A failure says so first and briefly; the card's output shows the error itself.
  const finished = (verb: string): ActionStatusView =>
    failed ? { icon: 'error', text: `Error${after}`, detail: `${verb}${took}, with an error`, tone: 'error' } : { icon: 'check', text: `${verb}${took}`, tone: 'success' };
  switch (entry.status) {
    case 'pending':
      return { icon: 'shield', text: 'Awaiting approval', tone: 'pending' };
    case 'waiting':
      return { icon: 'watch', text: 'Waiting for the kernel…', detail: 'Approved; waits until the code already running in the kernel finishes', tone: 'pending' };
    case 'awaitingKernel':
      return { icon: 'watch', text: 'Waiting for a kernel…', detail: 'Choose a kernel for this notebook if VS Code asks; the time limit starts when the code runs', tone: 'pending' };
    case 'running':
      return { icon: 'loading', text: 'Running…', tone: 'running', spin: true };
    case 'ran':
      return finished('Ran');
    case 'editedAndRan':
      return finished('Edited and ran');
    case 'autoRan':
      return finished('Auto-ran');
    case 'skipped':
      return { icon: 'skip', text: 'Skipped, not run', tone: 'muted' };
    case 'rejected':
      return { icon: 'close', text: 'Rejected, not run', tone: 'muted' };
    case 'cancelled':
      return { icon: 'circle-slash', text: 'Cancelled', tone: 'muted' };
    default:
      return assertNever(entry.status);
  }
}
