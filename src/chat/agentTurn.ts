import * as vscode from 'vscode';
import { CodeActAgent, type TurnRequest } from '../agent/codeActAgent';
import { resolveContextWindow } from '../agent/contextBudget';
import { buildSystemPrompt } from '../agent/systemPrompt';
import type { KernelSelector } from '../kernel/notebook/kernelSelector';
import type { NotebookCellRunner } from '../kernel/notebook/notebookCellRunner';
import { shouldSendImages } from '../llm/modelCapabilities';
import type { Logger } from '../platform/logger';
import { readSettings } from '../platform/settings';
import { ChatSession, newId } from './chatSession';
import { ChatTurnPresenter } from './chatTurn';
import { createChatModel } from './modelFactory';
import { NotebookActionRunner } from './notebookActionRunner';
import { NotebookTarget } from './notebookTarget';
import { buildPromptContext, readEnvironment } from './promptContext';
import type { WebviewApprovalGate } from './webviewApprovalGate';

export interface AgentTurnServices {
  readonly secrets: vscode.SecretStorage;
  readonly cellRunner: NotebookCellRunner;
  readonly kernels: KernelSelector;
  readonly logger: Logger;
}

/** One turn of a chat as the controller hands it over: where, for whom, and how it is shown. */
export interface AgentTurnRequest {
  readonly session: ChatSession;
  readonly target: NotebookTarget;
  readonly presenter: ChatTurnPresenter;
  readonly gate: WebviewApprovalGate;
  /** The user's message; undefined to ask the model again where the chat stands (Retry). */
  readonly userText: string | undefined;
  /** A decision on the action the conversation ends with, whose own turn is gone. */
  readonly resume?: TurnRequest['resume'];
  readonly signal: AbortSignal;
}

/**
 * Assembles and runs one CodeAct turn with what the settings say now: the model, the notebook
 * runner, the approval gate, the system prompt, and the environment a new message is sent
 * with (the notebook's recent cells, the kernel's variables and working directory; see
 * agent/environmentNote.ts). Throws only for the unexpected; a model that cannot be built is
 * a notice in the chat.
 */
export async function runAgentTurn(services: AgentTurnServices, request: AgentTurnRequest): Promise<void> {
  const { session, target, presenter, gate, userText, signal } = request;
  const settings = readSettings();
  const choice = await createChatModel(settings, services.secrets);
  if (!choice.ok) {
    session.add({ kind: 'notice', id: newId('notice'), level: 'error', text: choice.problem, fix: choice.fix, ...(choice.alternativeFix ? { alternativeFix: choice.alternativeFix } : {}) });
    return;
  }
  const model = choice.model;
  const imagesSentToModel = shouldSendImages(settings.sendImages, model.modelId);
  const contextWindowTokens = resolveContextWindow(model.modelId, settings.contextWindowTokens || choice.contextWindowTokens || 0);
  const runner = new NotebookActionRunner(
    target,
    services.cellRunner,
    () => session.conversationId,
    (report) => presenter.recordRun(report),
    (uri) => session.setNotebook(uri.toString()),
    (actionId, waiting) => presenter.setWaiting(actionId, waiting),
    imagesSentToModel,
    (actionId, preview) => presenter.showLiveOutput(actionId, preview),
  );
  const agent = new CodeActAgent({
    model,
    runner,
    approvals: gate,
    events: (event) => presenter.handle(event),
    options: { actionFormat: settings.actionFormat, contextWindowTokens, maxActionsPerTask: settings.maxActionsPerTask, imagesSentToModel },
    // After each action, in the notebook it ran in (the first action may have created it).
    variables: async (signal) => {
      const current = target.current();
      return current ? (await services.kernels.kernelContext(current, settings.jupyterKernelProbes, signal)).variables : undefined;
    },
  });
  const notebook = target.current();
  // Read only for a new message: a retry or a resumed decision adds nothing to tell it with.
  const environment =
    userText !== undefined
      ? readEnvironment(settings, notebook, notebook && services.kernels.describe(notebook), notebook ? await services.kernels.kernelContext(notebook, settings.jupyterKernelProbes, signal) : {}, session.conversationId)
      : undefined;
  const systemPrompt = buildSystemPrompt(await buildPromptContext(settings, imagesSentToModel));
  gate.startTask();
  services.logger.info('Agent', `turn started in chat ${session.id} with ${model.modelId} at ${choice.endpoint}`);
  const outcome = await agent.runTurn(
    {
      conversation: session.conversation,
      ...(userText !== undefined ? { userText } : {}),
      ...(request.resume ? { resume: request.resume } : {}),
      ...(environment ? { environment } : {}),
      systemPrompt,
    },
    signal,
  );
  session.setConversation(outcome.conversation);
  services.logger.info('Agent', `turn ended: ${outcome.reason}, ${outcome.actionsRun} actions run`);
}
