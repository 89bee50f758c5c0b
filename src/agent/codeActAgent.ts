/**
 * The CodeAct loop for one user request ("turn"): the model replies; its code action goes to
 * the approval gate; approved code runs; the observation goes back to the model; repeat until
 * the model answers without an action, the user stops, or a limit is hit.
 *
 * Everything outside is reached through ports (ChatModel, ActionRunner, ApprovalGate, an event
 * sink), so this runs the same in the extension and in tests. The conversation is a plain
 * object: a turn takes one in and hands back the next.
 */
import { randomUUID } from 'node:crypto';
import { ModelError, type ChatModel, type ChatRequest, type ModelImage } from '../llm/chatModel';
import type { ModelFailureKind } from '../llm/modelFailure';
import { raceAbort } from '../shared/abort';
import type { ActionStatus } from '../shared/protocol';
import { type ActionReply, parseReply, replyTextWithAction } from './actionParser';
import {
  extraToolCallObservation,
  maxActionsObservation,
  observationText,
  rejectedObservation,
  repeatedActionObservation,
  runnerFailureText,
  skippedObservation,
  undecidedObservation,
  interruptedRunObservation,
  stoppedBeforeRunObservation,
  turnEndMessage,
} from './agentMessages';
import type {
  ActionObservation,
  ActionRunner,
  AgentEvent,
  AgentEventSink,
  ApprovalDecision,
  ApprovalGate,
  ProposedAction,
  TurnEndReason,
} from './agentPorts';
import { describeShortening, estimateTokens, fitToContextWindow, IMAGE_TOKENS } from './contextBudget';
import { CONVERSATION_VERSION, type ConversationState, type HistoryEntry, type ReplyEntry, keepRecentImages, toModelMessages } from './conversation';
import { EXECUTE_TOOL, executeArguments } from './executeTool';
import { type EnvironmentSnapshot, NOTHING_TOLD, type ToldEnvironment, environmentNote, variablesChangedNote } from './environmentNote';
import type { KernelVariable } from './systemPrompt';
import { collectReply } from './replyCollector';
import { addUsage, NO_USAGE, type ReplyUsage } from './replyUsage';
import { type ActionFormat, EXECUTE_CLOSE } from './replyScanner';
import { thoughtOpensInPrompt } from './thinkBlocks';
import {
  afterActionNotRun,
  afterActionRan,
  afterMalformedReply,
  checkProposal,
  DEFAULT_MAX_ACTIONS_PER_TASK,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  NEW_TURN,
  type TurnCounters,
  tooManyFailures,
} from './turnLimits';

export interface CodeActAgentOptions {
  readonly actionFormat: ActionFormat;
  /** The model's context window in tokens (see resolveContextWindow). */
  readonly contextWindowTokens: number;
  readonly maxActionsPerTask?: number;
  readonly maxConsecutiveFailures?: number;
  /** Whether observation images reach the model (they cost context only then). */
  readonly imagesSentToModel?: boolean;
  /** How long, after Stop, to wait for a running action to wind down. Default 10 s. */
  readonly stopGraceMs?: number;
}

export interface CodeActAgentDependencies {
  readonly model: ChatModel;
  readonly runner: ActionRunner;
  readonly approvals: ApprovalGate;
  readonly events: AgentEventSink;
  readonly options: CodeActAgentOptions;
  /** Ids for replies and actions; default random UUIDs. */
  readonly createId?: () => string;
  /** Lists the kernel's variables after each action, for the observation (environmentNote.ts). */
  readonly variables?: (signal: AbortSignal) => Promise<readonly KernelVariable[] | undefined>;
}

export interface TurnRequest {
  readonly conversation: ConversationState;
  /**
   * The user's new message. Absent for a retry: the model is asked again where the
   * conversation stands (after a request that failed, say), with nothing added.
   */
  readonly userText?: string;
  /**
   * The user's decision on the action the conversation ends with, when its turn is gone (the
   * window reloaded while it waited for approval): applied as if the turn had never stopped.
   */
  readonly resume?: { readonly actionId: string; readonly decision: ApprovalDecision };
  readonly systemPrompt: string;
  /** The environment as it is now, sent with `userText` as far as the model has not been told it. */
  readonly environment?: EnvironmentSnapshot;
}

export interface TurnOutcome {
  readonly conversation: ConversationState;
  readonly reason: TurnEndReason;
  /** What to tell the user (undefined when the model's answer says it all). */
  readonly message: string | undefined;
  readonly actionsRun: number;
  readonly usage: ReplyUsage;
}

export class CodeActAgent {
  constructor(private readonly deps: CodeActAgentDependencies) {}

  /** Runs one user request to its end. Aborting `signal` is Stop: the turn ends 'stopped' promptly. */
  runTurn(request: TurnRequest, signal: AbortSignal): Promise<TurnOutcome> {
    return new TurnRun(this.deps, request, signal).run();
  }
}

/**
 * Once the history outgrows the window, older outputs are shortened until it takes this share
 * of it: the next several requests then only add to it, and a provider's prompt cache keeps
 * serving the prefix (`npm run bench prompt` measures the cacheable share).
 */
const SHORTEN_TO = 0.7;

/** Images (plots) a conversation keeps from one turn to the next: the most recent ones. */
const IMAGES_KEPT = 4;

interface TurnEnd {
  readonly reason: TurnEndReason;
  readonly message?: string;
  /** For 'modelError': what kind of failure, so the UI can offer its fix. */
  readonly failure?: ModelFailureKind;
}

/** The state of one running turn. */
class TurnRun {
  private entries: HistoryEntry[];
  private told: ToldEnvironment;
  private counters: TurnCounters = NEW_TURN;
  private usage: ReplyUsage = NO_USAGE;
  /** The model was just told its block in another language does not run (see ParseOptions). */
  private toldForeignBlockDoesNotRun = false;
  /** A reply came with a think block: later requests go without the stop sequence (see chatRequest). */
  private modelThinks: boolean;
  /**
   * The model's chat template opens its thought in the prompt, so replies start inside one:
   * known from the model's name, or learned from a reply that closed a thought it never opened.
   */
  private thoughtStartsInPrompt: boolean;
  private windowTokens: number;
  private shrunkAfterContextError = false;
  private readonly format: ActionFormat;
  private readonly maxActions: number;
  private readonly maxFailures: number;
  private readonly createId: () => string;

  constructor(
    private readonly deps: CodeActAgentDependencies,
    private readonly request: TurnRequest,
    private readonly signal: AbortSignal,
  ) {
    const { options } = deps;
    this.entries = [...request.conversation.entries];
    this.told = request.conversation.told ?? NOTHING_TOLD;
    this.windowTokens = options.contextWindowTokens;
    this.maxActions = options.maxActionsPerTask ?? DEFAULT_MAX_ACTIONS_PER_TASK;
    this.maxFailures = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
    this.createId = deps.createId ?? randomUUID;
    this.thoughtStartsInPrompt = thoughtOpensInPrompt(deps.model.modelId);
    this.modelThinks = this.thoughtStartsInPrompt;
    this.format = options.actionFormat === 'tools' && !deps.model.supportsTools ? 'auto' : options.actionFormat;
  }

  async run(): Promise<TurnOutcome> {
    if (this.format !== this.deps.options.actionFormat) {
      this.emit({ type: 'notice', level: 'warning', text: 'This model does not support tool calls; using <execute> blocks instead.' });
    }
    const resume = this.request.resume;
    if (resume) {
      const end = await this.resumeAction(resume.actionId, resume.decision);
      this.emitConversation();
      if (end) return this.finish(end);
    } else {
      this.closeUndecidedAction();
      if (this.request.userText !== undefined) {
        const note = this.request.environment ? environmentNote(this.request.environment, this.told) : undefined;
        this.entries.push({ kind: 'request', text: this.request.userText, ...(note ? { environment: note.text } : {}) });
        const refused = this.refuseRequestThatCannotFit();
        if (refused) {
          this.emitConversation();
          return this.finish(refused);
        }
        // Told only once the message (and its note) stays in the conversation.
        if (note) this.told = note.told;
      }
      this.emitConversation();
    }
    for (;;) {
      const end = await this.step();
      this.emitConversation();
      if (end) return this.finish(end);
    }
  }

  /**
   * A request that cannot fit the model's window, even with every output shortened, is taken
   * back out of the conversation: kept, it would make every later turn of the chat fail too.
   */
  private refuseRequestThatCannotFit(): TurnEnd | undefined {
    const budget = { windowTokens: this.windowTokens, imageTokens: this.deps.options.imagesSentToModel === false ? 0 : IMAGE_TOKENS };
    if (fitToContextWindow(this.request.systemPrompt, this.entries, budget).fits) return undefined;
    const request = this.entries.pop();
    const alone = fitToContextWindow(this.request.systemPrompt, request ? [request] : [], budget);
    const window = this.windowTokens.toLocaleString('en-US');
    const message = alone.fits
      ? `This message was not sent: with the conversation so far it does not fit the model's context window (${window} tokens), even with older outputs shortened. Start a new chat, or choose a model with a larger window.`
      : `This message was not sent: it is about ${estimateTokens(request?.kind === 'request' ? request.text : '').toLocaleString('en-US')} tokens, more than the model's context window allows (${window} tokens, with room kept for the reply). Shorten it, or choose a model with a larger window (or set codeact.contextWindowTokens if this model's window is larger).`;
    return { reason: 'contextFull', message };
  }

  /** One model reply and whatever it leads to; returns how the turn ends, or undefined to go on. */
  private async step(): Promise<TurnEnd | undefined> {
    if (this.signal.aborted) return { reason: 'stopped' };

    const fitted = fitToContextWindow(this.request.systemPrompt, this.entries, {
      windowTokens: this.windowTokens,
      imageTokens: this.deps.options.imagesSentToModel === false ? 0 : IMAGE_TOKENS,
      shortenTo: SHORTEN_TO,
    });
    if (fitted.shortened.length > 0) {
      this.entries = [...fitted.entries];
      this.emit({ type: 'contextShortened', shortened: fitted.shortened, text: describeShortening(fitted.shortened, this.windowTokens) });
    }
    if (!fitted.fits) return { reason: 'contextFull' };

    const replyId = this.createId();
    this.emit({ type: 'replyStarted', replyId });
    const outcome = await collectReply(
      this.deps.model,
      this.chatRequest(),
      this.format,
      this.signal,
      {
        prose: (delta) => this.emit({ type: 'replyDelta', replyId, delta }),
        reset: () => this.emit({ type: 'replyReset', replyId }),
        retrying: (retry) =>
          this.emit({
            type: 'notice',
            level: 'info',
            text: `The model request failed (${retry.reason}); retrying in ${Math.ceil(retry.delayMs / 1000)} s (attempt ${retry.attempt} of ${retry.maxRetries}).`,
          }),
      },
      { startsInThought: this.thoughtStartsInPrompt },
    );
    const usage = outcome.kind === 'complete' ? outcome.reply.usage : outcome.usage;
    if (usage) this.addUsage(usage);

    if (outcome.kind === 'failed') {
      const prose = outcome.partialProse.trim();
      this.emit({ type: 'replyFinished', replyId, prose, finishReason: 'unknown' });
      // Keep what the user saw of an interrupted reply, so the model knows what it had said.
      if (prose) this.entries.push({ kind: 'reply', text: prose, toolCalls: [] });
      return this.modelFailure(outcome.error);
    }

    const reply = outcome.reply;
    if (reply.thinking !== 'none') this.modelThinks = true;
    if (reply.thoughtOpenedInPrompt) this.thoughtStartsInPrompt = true;
    if (reply.reasoningApart && reply.thinking === 'none') {
      // The server keeps the thought out of the text (LM Studio, OpenRouter): nothing to hold
      // back, and the stop sequence is safe again.
      this.thoughtStartsInPrompt = false;
      this.modelThinks = false;
    }
    const parsed = parseReply(reply, this.format, { foreignBlocksAnswer: this.toldForeignBlockDoesNotRun });
    this.toldForeignBlockDoesNotRun = parsed.kind === 'malformed' && parsed.problem === 'foreignLanguage';
    this.emit({ type: 'replyFinished', replyId, prose: parsed.prose, finishReason: reply.finishReason });
    switch (parsed.kind) {
      case 'answer':
        // Nothing to show and nothing to run is a failure of the model, not an answer: kept,
        // the empty assistant message would also make strict servers refuse the next request.
        if (parsed.prose === '') return this.emptyReply(reply.finishReason);
        this.entries.push({ kind: 'reply', text: reply.text.trim(), toolCalls: [] });
        if (parsed.cutOff) this.emit({ type: 'notice', level: 'warning', text: 'The reply was cut off by the model’s output limit.' });
        return { reason: 'answered' };
      case 'malformed':
        this.entries.push({ kind: 'reply', text: reply.text, toolCalls: reply.toolCalls });
        if (reply.toolCalls.length > 0) {
          for (const call of reply.toolCalls) this.entries.push({ kind: 'observation', text: parsed.observation, images: [], toolCallId: call.id });
        } else {
          this.entries.push({ kind: 'observation', text: parsed.observation, images: [] });
        }
        this.emit({ type: 'notice', level: 'warning', text: parsed.notice });
        this.counters = afterMalformedReply(this.counters);
        return tooManyFailures(this.counters, this.maxFailures) ? { reason: 'consecutiveFailures' } : undefined;
      case 'action':
        return this.handleAction(replyId, parsed);
    }
  }

  private chatRequest(): ChatRequest {
    const messages = toModelMessages(this.request.systemPrompt, this.entries);
    if (this.format === 'tools') return { messages, tools: [EXECUTE_TOOL] };
    // The server cannot tell thinking from the reply: a model that writes </execute> while it
    // thinks would be stopped mid-thought, every time. Once a model is seen thinking, the
    // agent's own detector (which skips think blocks) ends the stream after the action instead.
    // A model known to open its thought in the prompt goes without it from the first request.
    if (this.format === 'markdown' || this.modelThinks) return { messages };
    return { messages, stop: [EXECUTE_CLOSE] };
  }

  private modelFailure(error: unknown): TurnEnd | undefined {
    if (this.signal.aborted || (error instanceof ModelError && error.failure.kind === 'aborted')) return { reason: 'stopped' };
    if (error instanceof ModelError && error.failure.kind === 'contextTooLong' && !this.shrunkAfterContextError) {
      // Our estimate was too generous for this model: assume a smaller window and try once more.
      this.shrunkAfterContextError = true;
      const fitted = fitToContextWindow(this.request.systemPrompt, this.entries, { windowTokens: this.windowTokens });
      this.windowTokens = Math.max(1_024, Math.floor(fitted.estimatedTokens * 0.7));
      this.emit({ type: 'notice', level: 'warning', text: 'The model said the conversation is too long; shortening older outputs and trying again.' });
      return undefined;
    }
    const message = error instanceof ModelError ? error.message : `The model request failed: ${error instanceof Error ? error.message : String(error)}`;
    return { reason: 'modelError', message, failure: error instanceof ModelError ? error.failure.kind : 'unknown' };
  }

  private emptyReply(finishReason: string): TurnEnd {
    const why = finishReason === 'length'
      ? ' It used up its output limit before writing anything (a reasoning model that spent it all thinking, say).'
      : finishReason === 'content_filter' ? ' The provider filtered it.' : '';
    return { reason: 'modelError', failure: 'emptyReply', message: `The model sent an empty reply: no text and no code.${why} Retry, or choose another model.` };
  }

  private async handleAction(replyId: string, parsed: ActionReply): Promise<TurnEnd | undefined> {
    const actionId = this.createId();
    const replyIndex = this.entries.length;
    this.entries.push(this.replyEntry(parsed, parsed.code, actionId, false));
    const observe = (text: string, images: readonly ModelImage[] = []): void => this.pushObservation(parsed, actionId, text, images);

    const verdict = checkProposal(this.counters, parsed.code, this.maxActions);
    if (verdict === 'repeatedAction') {
      observe(repeatedActionObservation());
      return { reason: 'repeatedAction' };
    }
    if (verdict === 'maxActions') {
      observe(maxActionsObservation(this.maxActions));
      return { reason: 'maxActions' };
    }

    const action: ProposedAction = { id: actionId, code: parsed.code, source: parsed.source, language: parsed.language, index: this.counters.actionsRun + 1 };
    // Saved with the proposal: a window reload while it waits keeps it, and its decision can
    // still be applied in a new turn (see resumeAction).
    this.emitConversation();
    this.emit({ type: 'actionProposed', replyId, action });
    let decision: ApprovalDecision;
    try {
      decision = await raceAbort(this.deps.approvals.decide(action, this.signal), this.signal);
    } catch {
      // Stopped, or the approval UI went away (view disposed): nothing ran.
      observe(stoppedBeforeRunObservation());
      this.emit({ type: 'actionDecided', actionId, status: 'cancelled', code: parsed.code });
      return { reason: 'stopped' };
    }

    return this.applyDecision(parsed, actionId, replyIndex, decision);
  }

  /** Carries out the user's (or the policy's) decision on a proposed action. */
  private async applyDecision(parsed: ActionReply, actionId: string, replyIndex: number, decision: ApprovalDecision): Promise<TurnEnd | undefined> {
    const observe = (text: string): void => this.pushObservation(parsed, actionId, text, []);
    switch (decision.kind) {
      case 'skip':
        observe(skippedObservation());
        this.counters = afterActionNotRun(this.counters, parsed.code);
        this.emit({ type: 'actionDecided', actionId, status: 'skipped', code: parsed.code });
        return undefined;
      case 'reject':
        observe(rejectedObservation(decision.feedback));
        this.counters = afterActionNotRun(this.counters, parsed.code);
        this.emit({ type: 'actionDecided', actionId, status: 'rejected', code: parsed.code, feedback: decision.feedback });
        // Feedback is something for the model to act on; a bare rejection waits for the user.
        return decision.feedback.trim() ? undefined : { reason: 'rejected' };
      case 'deny':
        // Asking the model again could only end the same way: stop here and say why.
        observe(`The action was not run: ${decision.reason}`);
        this.emit({ type: 'actionDecided', actionId, status: 'cancelled', code: parsed.code });
        return { reason: 'denied', message: decision.reason };
      case 'run':
        return this.runAction(parsed, actionId, replyIndex, decision);
    }
  }

  /**
   * Applies a decision made after the action's own turn was gone. The conversation must end
   * with that action's reply (it was saved with the proposal); anything else is refused.
   */
  private async resumeAction(actionId: string, decision: ApprovalDecision): Promise<TurnEnd | undefined> {
    const replyIndex = this.entries.length - 1;
    const reply = this.entries[replyIndex];
    const parsed =
      reply?.kind === 'reply' && reply.actionId === actionId
        ? parseReply(
            { text: reply.text, thinking: 'none', toolCalls: reply.toolCalls, finishReason: reply.toolCalls.length > 0 ? 'toolCalls' : 'stop' },
            reply.toolCalls.length > 0 ? 'tools' : 'auto',
          )
        : undefined;
    if (parsed?.kind !== 'action') {
      return { reason: 'answered', message: 'That action can no longer be run: the conversation has moved on. Ask again.' };
    }
    return this.applyDecision(parsed, actionId, replyIndex, decision);
  }

  /**
   * A conversation saved while an action waited for approval ends with that proposal. When the
   * user moves on without deciding, the model is told it was not run (a tool call must also get
   * its answer, or the next request is refused).
   */
  private closeUndecidedAction(): void {
    const last = this.entries.at(-1);
    if (last?.kind !== 'reply' || last.actionId === undefined) return;
    const text = undecidedObservation();
    if (last.toolCalls.length === 0) {
      this.entries.push({ kind: 'observation', text, images: [], actionId: last.actionId });
      return;
    }
    last.toolCalls.forEach((call, index) => this.entries.push({ kind: 'observation', text, images: [], toolCallId: call.id, ...(index === 0 ? { actionId: last.actionId } : {}) }));
  }

  private async runAction(
    parsed: ActionReply,
    actionId: string,
    replyIndex: number,
    decision: Extract<ApprovalDecision, { kind: 'run' }>,
  ): Promise<TurnEnd | undefined> {
    const code = decision.code;
    const edited = decision.edited && code !== parsed.code;
    // The history shows the code that actually ran, so the model reasons about the real cell.
    if (edited) this.entries[replyIndex] = this.replyEntry(parsed, code, actionId, true);
    this.emit({ type: 'actionDecided', actionId, status: 'running', code });
    // Saved while the code runs: a reload now must not leave the model believing it never ran
    // (it may have written files or sent requests). The real output replaces this when it ends.
    const provisional = [...this.entries, ...this.observationEntries(parsed, actionId, interruptedRunObservation(), [])];
    this.emit({ type: 'conversationChanged', conversation: { version: CONVERSATION_VERSION, entries: keepRecentImages(provisional, IMAGES_KEPT), told: this.told } });

    const started = Date.now();
    const observation = await this.runCode(actionId, code);
    const stoppedByUser = this.signal.aborted;
    const status: ActionStatus = stoppedByUser ? 'cancelled' : edited ? 'editedAndRan' : decision.auto ? 'autoRan' : 'ran';
    this.emit({ type: 'actionFinished', actionId, status, observation, durationMs: Date.now() - started });

    const observed = observationText(observation, { edited, stoppedByUser, ...(parsed.skippedLanguage ? { skippedLanguage: parsed.skippedLanguage } : {}) }, parsed.source === 'tool');
    const changes = stoppedByUser ? undefined : await this.variablesChanged();
    const text = [parsed.note, observed].filter((part) => part !== undefined && part !== '').join('\n');
    this.pushObservation(parsed, actionId, text, observation.images, changes);
    this.counters = afterActionRan(this.counters, code, observation.status);
    if (stoppedByUser) return { reason: 'stopped' };
    return tooManyFailures(this.counters, this.maxFailures) ? { reason: 'consecutiveFailures' } : undefined;
  }

  /** What the action did to the kernel's variables, as a line for its observation. */
  private async variablesChanged(): Promise<string | undefined> {
    const variables = await this.deps.variables?.(this.signal).catch(() => undefined);
    const changes = variablesChangedNote(variables, this.told);
    this.told = changes.told;
    return changes.text;
  }

  /** Runs code; after Stop, waits a grace period for the runner to wind down, then moves on. */
  private async runCode(actionId: string, code: string): Promise<ActionObservation> {
    const running = this.deps.runner.run({ actionId, code }, this.signal).catch(
      (error: unknown): ActionObservation =>
        this.signal.aborted
          ? { text: '', images: [], status: 'cancelled' }
          : { text: runnerFailureText(error instanceof Error ? error.message : String(error)), images: [], status: 'error' },
    );
    const grace = this.deps.options.stopGraceMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<ActionObservation>((resolve) => {
      onAbort = (): void => {
        timer = setTimeout(() => resolve({ text: '(the code did not stop in time)', images: [], status: 'cancelled' }), grace);
      };
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([running, gaveUp]);
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) this.signal.removeEventListener('abort', onAbort);
    }
  }

  /** The reply entry for an action, carrying `code` (the proposal, or the edit that ran). */
  private replyEntry(parsed: ActionReply, code: string, actionId: string, edited: boolean): ReplyEntry {
    if (parsed.source === 'tool' && parsed.toolCall) {
      const call = edited ? { ...parsed.toolCall, argumentsJson: executeArguments(code) } : parsed.toolCall;
      return { kind: 'reply', text: parsed.textBefore.trim(), toolCalls: [call, ...parsed.extraToolCalls], actionId };
    }
    return { kind: 'reply', text: replyTextWithAction(parsed.textBefore, code, parsed.source, parsed.tag), toolCalls: [], actionId };
  }

  /** Adds the observation for an action (and "not run" answers to any extra tool calls). */
  private pushObservation(parsed: ActionReply, actionId: string, text: string, allImages: readonly ModelImage[], variables?: string): void {
    this.entries.push(...this.observationEntries(parsed, actionId, text, allImages, variables));
  }

  private observationEntries(parsed: ActionReply, actionId: string, text: string, allImages: readonly ModelImage[], variables?: string): HistoryEntry[] {
    // A model that is not sent images gets their descriptions in the text; the bytes would
    // only make the saved chat bigger.
    const images = this.deps.options.imagesSentToModel === false ? [] : allImages;
    if (parsed.source === 'tool' && parsed.toolCall) {
      return [
        { kind: 'observation', text, images, actionId, toolCallId: parsed.toolCall.id, ...(variables ? { variables } : {}) },
        ...parsed.extraToolCalls.map((extra): HistoryEntry => ({ kind: 'observation', text: extraToolCallObservation(), images: [], toolCallId: extra.id })),
      ];
    }
    return [{ kind: 'observation', text, images, actionId, ...(variables ? { variables } : {}) }];
  }

  private addUsage(usage: ReplyUsage): void {
    this.usage = addUsage(this.usage, usage);
    this.emit({ type: 'usage', ...usage });
  }

  private finish(end: TurnEnd): TurnOutcome {
    const message =
      end.message ?? turnEndMessage(end.reason, { maxActionsPerTask: this.maxActions, maxConsecutiveFailures: this.maxFailures }, this.counters.actionsRun);
    this.emit({ type: 'turnEnded', reason: end.reason, message, ...(end.failure ? { failure: end.failure } : {}) });
    return { conversation: this.conversation(), reason: end.reason, message, actionsRun: this.counters.actionsRun, usage: this.usage };
  }

  private conversation(): ConversationState {
    return { version: CONVERSATION_VERSION, entries: keepRecentImages(this.entries, IMAGES_KEPT), told: this.told };
  }

  private emitConversation(): void {
    this.emit({ type: 'conversationChanged', conversation: this.conversation() });
  }

  /** A failing UI listener must not break the loop. */
  private emit(event: AgentEvent): void {
    try {
      this.deps.events(event);
    } catch {
      // The sink's own problem; the turn goes on.
    }
  }
}
