/**
 * The words of the loop: what the model is told after each action (observations and notes) and
 * what the user is told when a turn ends early. Pure, so the exact wording is tested and kept
 * in one place.
 */
import type { ActionObservation, TurnEndReason } from './agentPorts';

/** Shown to the model when code printed nothing (CodeAct's own wording). */
export const NO_OUTPUT_OBSERVATION = '[Code executed successfully with no output]';

export interface ObservationNotes {
  /** The user changed the code before it ran. */
  readonly edited: boolean;
  /** The user pressed Stop while it ran. */
  readonly stoppedByUser: boolean;
  /** A block in another language that came before the action and was not run. */
  readonly skippedLanguage?: string;
}

/**
 * The observation message for an action that ran. In the text formats it starts with
 * "Observation:" as in the CodeAct paper; as a tool result it is the bare output.
 */
export function observationText(observation: ActionObservation, notes: ObservationNotes, asToolResult: boolean): string {
  const lines: string[] = [];
  if (notes.edited) lines.push('[The user edited your code before it ran; the code above is what ran.]');
  if (notes.skippedLanguage) lines.push(`[Your \`\`\`${notes.skippedLanguage} block was not run: only Python runs here.]`);
  lines.push(observation.text.trim() === '' ? NO_OUTPUT_OBSERVATION : observation.text);
  if (notes.stoppedByUser) lines.push('[The user stopped this code while it was running.]');
  const body = lines.join('\n');
  return asToolResult ? body : `Observation:\n${body}`;
}

/** What the model is told of an action whose run a window reload cut off. */
export function interruptedRunObservation(): string {
  return 'This action started running, but the window was reloaded before it finished, so its outcome is unknown. Check the state (the notebook cell, files) before running it again.';
}

/** The user wrote again without deciding on the proposed action (its turn was gone). */
export function undecidedObservation(): string {
  return 'Not run: the user did not decide on this action before moving on. Do not assume it ran.';
}

export function skippedObservation(): string {
  return 'The user skipped this action, so it did not run. Go on without it, or ask the user how to proceed.';
}

export function rejectedObservation(feedback: string): string {
  const trimmed = feedback.trim();
  return trimmed
    ? `The user rejected this action, so it did not run. Their feedback:\n${trimmed}`
    : 'The user rejected this action, so it did not run.';
}

export function stoppedBeforeRunObservation(): string {
  return 'Not run: the user stopped the task before this action ran.';
}

export function repeatedActionObservation(): string {
  return 'Not run: this is the same code as your previous action. The user has been asked how to continue.';
}

export function maxActionsObservation(limit: number): string {
  return `Not run: the limit of ${limit} actions for one request was reached. The user has been asked whether to continue.`;
}

export function extraToolCallObservation(): string {
  return 'Not run: only one action runs per reply. Call it again after seeing the result of the first.';
}

export function runnerFailureText(message: string): string {
  return `The code could not be run: ${message}`;
}

export interface TurnLimits {
  readonly maxActionsPerTask: number;
  readonly maxConsecutiveFailures: number;
}

/** What the user reads when a turn ends for `reason` (undefined: nothing to add). */
export function turnEndMessage(reason: TurnEndReason, limits: TurnLimits, actionsRun: number): string | undefined {
  switch (reason) {
    case 'answered':
      return undefined;
    case 'stopped':
      return 'Stopped.';
    case 'rejected':
      return 'The action was rejected. Say what to do instead.';
    case 'denied':
      return 'Code cannot run here.';
    case 'maxActions':
      return `Stopped after ${actionsRun} actions, the limit for one request. Say 'continue' to let it keep going, or raise the setting codeact.maxActionsPerTask.`;
    case 'consecutiveFailures':
      return `Stopped after ${limits.maxConsecutiveFailures} failed attempts in a row. Say 'continue' to let it keep going, or give it a hint.`;
    case 'repeatedAction':
      return "Stopped because the model proposed the same code as its previous action. Say 'continue' to let it keep going, or tell it what to do differently.";
    case 'contextFull':
      return "The conversation no longer fits the model's context window, even with older outputs shortened. Start a new chat, or choose a model with a larger window.";
    case 'modelError':
      return undefined;
  }
}
