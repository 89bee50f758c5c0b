import * as vscode from 'vscode';
import type { ActionObservation, ActionRunner } from '../agent/agentPorts';
import { ExecutionResult } from '../kernel/kernelOutputs';
import { type CellWait, NotebookCellRunner, agentCellMarker } from '../kernel/notebook/notebookCellRunner';
import { summarizeError } from '../kernel/errorSummary';
import { Observation, ObservationImage, toObservation } from '../kernel/observation';
import { readSettings } from '../platform/settings';
import { ActionPreview } from '../shared/protocol';
import { NotebookTarget } from './notebookTarget';

/** Largest image (base64 characters) shown as a thumbnail in the chat. */
const MAX_THUMBNAIL_BASE64 = 400_000;
const PREVIEW_CHARS = 600;

/** What the chat shows about a finished action, next to what the model gets. */
export interface ActionRunReport {
  readonly actionId: string;
  readonly preview: ActionPreview;
  readonly hasCell: boolean;
  /** The kernel was restarted since this conversation's previous action ran. */
  readonly kernelRestarted?: boolean;
}

/** Told to the model with the first observation after the kernel restarted. */
export const KERNEL_RESTARTED_NOTE =
  'Note: the kernel was restarted since your previous action (its execution count started again), so the variables and imports from before are gone.';

/**
 * The highest execution count among this conversation's earlier action cells. Execution counts
 * only grow within one kernel, whatever ran in between; a lower one later means a new kernel
 * (a restart, a crash, a window reload), which no kernel API tells for every kernel. Read
 * from the notebook itself, it holds across window reloads and saved notebooks.
 */
function lastExecutionCount(notebook: vscode.NotebookDocument, conversationId: string): number | undefined {
  let last: number | undefined;
  for (const cell of notebook.getCells()) {
    const order = cell.executionSummary?.executionOrder;
    if (order === undefined || agentCellMarker(cell)?.conversationId !== conversationId) continue;
    last = Math.max(last ?? 0, order);
  }
  return last;
}

/**
 * The agent's ActionRunner in VS Code: each approved action becomes a cell of the chat's
 * notebook, runs in that notebook's kernel, and its outputs become the model's observation.
 */
export class NotebookActionRunner implements ActionRunner {
  constructor(
    private readonly target: NotebookTarget,
    private readonly cells: NotebookCellRunner,
    private readonly conversationId: () => string,
    private readonly onDidRun: (report: ActionRunReport) => void,
    private readonly onNotebook: (uri: vscode.Uri) => void,
    private readonly onWaiting: (actionId: string, waitingFor: CellWait | undefined) => void = () => undefined,
    private readonly modelSeesImages = true,
    /** What a running action has printed so far, for its card. */
    private readonly onLiveOutput: (actionId: string, preview: ActionPreview) => void = () => undefined,
  ) {}

  async run(action: { readonly actionId: string; readonly code: string }, signal: AbortSignal): Promise<ActionObservation> {
    if (!vscode.workspace.isTrusted) {
      return { text: 'The code was not run: the workspace is not trusted, so CodeAct cannot run code here. Answer without running code.', images: [], status: 'cancelled' };
    }
    const settings = readSettings();
    const notebook = await this.target.resolve();
    this.onNotebook(notebook.uri);
    const conversationId = this.conversationId();
    const countBefore = lastExecutionCount(notebook, conversationId);
    const { result, cell, note: runNote } = await this.cells.run(notebook, action.code, {
      marker: { conversationId, actionId: action.actionId },
      signal,
      timeoutMs: settings.actionTimeoutSeconds * 1000,
      onWaiting: (waitingFor) => this.onWaiting(action.actionId, waitingFor),
      onOutputs: (outputs) => this.onLiveOutput(action.actionId, livePreviewOf(outputs, settings.observationMaxChars)),
    });
    const observation = toObservation(result, {
      maxChars: settings.observationMaxChars,
      ...(this.modelSeesImages ? {} : { imagesNotSent: 'this model is not known to accept images (setting codeact.sendImages)' }),
    });
    const count = result.executionCount ?? cell?.executionSummary?.executionOrder;
    const kernelRestarted = countBefore !== undefined && count !== undefined && count <= countBefore;
    const note = [runNote, kernelRestarted ? KERNEL_RESTARTED_NOTE : undefined].filter((line) => line !== undefined).join('\n') || undefined;
    const text = note && !observation.text.includes(note) ? `${observation.text}\n${note}` : observation.text;
    this.onDidRun({ actionId: action.actionId, preview: previewOf(result, observation, note), hasCell: cell !== undefined, ...(kernelRestarted ? { kernelRestarted } : {}) });
    return {
      text,
      status: result.status,
      images: observation.images.map((image) => ({ mimeType: image.mime, dataBase64: image.base64, description: imageDescription(image) })),
    };
  }
}

/**
 * What a running action shows on its card: the end of its output so far, as a terminal shows
 * the latest lines (the notebook cell holds all of it), and its plots.
 */
function livePreviewOf(outputs: ExecutionResult['outputs'], maxChars: number): ActionPreview {
  const soFar: ExecutionResult = { status: 'ok', outputs, durationMs: 0 };
  return previewOf(soFar, toObservation(soFar, { maxChars }), undefined, true);
}

/** How an image is named to the model in words: its type and size (`image/png 790x390`). */
function imageDescription(image: ObservationImage): string {
  return image.width !== undefined ? `${image.mime} ${image.width}x${image.height}` : image.mime;
}

/**
 * The observation's text without the lines that stand in for the images the chat shows
 * (`[image/png 790x390]`, or the note that a model is not sent them): words for the model,
 * not for a person who sees the picture itself right below.
 */
function withoutImageLines(text: string, shown: readonly ObservationImage[]): string {
  const descriptions = shown.map(imageDescription);
  const standsForShownImage = (line: string): boolean => line.startsWith('[') && line.endsWith(']') && descriptions.some((description) => line.includes(description));
  return text.split('\n').filter((line) => !standsForShownImage(line)).join('\n');
}

function previewOf(result: ExecutionResult, observation: Observation, note: string | undefined, running = false): ActionPreview {
  const thumbnails = observation.images.filter((image) => image.base64.length <= MAX_THUMBNAIL_BASE64 && /^image\/(png|jpeg|gif|webp)$/.test(image.mime)).slice(0, 2);
  const shownText = withoutImageLines(observation.text, thumbnails);
  const full = note ? `${shownText}\n${note}` : shownText;
  const error = [...result.outputs].reverse().find((output) => output.kind === 'error');
  // A traceback ends with what matters (the exception, the user's frame), and a running
  // action's latest lines are its news: keep their end.
  const text = full.length <= PREVIEW_CHARS ? full : error || running ? `…${full.slice(-PREVIEW_CHARS)}` : `${full.slice(0, PREVIEW_CHARS)}…`;
  return {
    text,
    isError: result.status !== 'ok',
    ...(error?.kind === 'error' ? { error: summarizeError(error) } : {}),
    images: thumbnails.map((image) => `data:${image.mime};base64,${image.base64}`),
    truncated: full.length > PREVIEW_CHARS || observation.truncated,
  };
}
