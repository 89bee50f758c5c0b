/**
 * Turns a finished model reply into what the agent does next: show a final answer, run one code
 * action, or tell the model its reply could not be used (never a crash). Pure.
 *
 * One action per reply: the first action tag (`<execute>`, `<execute_ipython>`, `<execute_bash>`,
 * `<code>`), fenced Python block or execute_python call (see actionMarkup.ts for the forms).
 * Anything after it is dropped (the model cannot know the result yet, so text after an action is
 * speculation), and so are later blocks. The streaming side is in actionStreamDetector.ts.
 */
import type { FinishReason, ModelToolCall } from '../llm/chatModel';
import { EXECUTE_TOOL_NAME, executeArguments, parseExecuteArguments } from './executeTool';
import { cellCode, extractCode, unwrapCode } from './actionCode';
import { type ActionLanguage, isCopiedCodeLabel } from './actionMarkup';
import { type ActionFormat, EXECUTE_CLOSE, EXECUTE_OPEN, scanReply } from './replyScanner';
import { type ThinkingState, ThoughtSeparator } from './thinkBlocks';

/** Where an action came from. */
export type ActionSource = 'tags' | 'markdown' | 'tool';

/** A finished reply, as the stream collector assembled it. */
export interface ReplyForParsing {
  /** The reply's text without its think blocks (see thinkBlocks.ts). */
  readonly text: string;
  /** Whether the reply had a think block; 'open' when it ended inside one. */
  readonly thinking: ThinkingState;
  readonly toolCalls: readonly ModelToolCall[];
  /** 'stop' also when the agent ended the stream itself after a complete action. */
  readonly finishReason: FinishReason;
}

export interface AnswerReply {
  readonly kind: 'answer';
  /** The reply as shown to the user. */
  readonly prose: string;
  /** The model ran out of output tokens (or was filtered) mid-answer. */
  readonly cutOff: boolean;
}

export interface ActionReply {
  readonly kind: 'action';
  /** Text before the action, trimmed, for display. */
  readonly prose: string;
  /** Text before the action exactly as written, for the history. */
  readonly textBefore: string;
  readonly code: string;
  readonly source: ActionSource;
  /** The tool call carrying the action ('tool' source only). */
  readonly toolCall: ModelToolCall | undefined;
  /** Further tool calls in the same reply; they are answered "not run". */
  readonly extraToolCalls: readonly ModelToolCall[];
  /** A block in another language before the action, which was not run. */
  readonly skippedLanguage: string | undefined;
  /** Python, or a shell script (`<execute_bash>`) that `code` runs as a `%%bash` cell. */
  readonly language: ActionLanguage;
  /** The tag the model wrote ('execute_ipython'…), to keep its form in the history; undefined otherwise. */
  readonly tag: string | undefined;
  /** Told to the model with the observation: how its reply was read (a tool of another name). */
  readonly note: string | undefined;
}

export type MalformedProblem =
  | 'cutOffAction'
  | 'emptyAction'
  | 'foreignLanguage'
  | 'unsupportedAction'
  | 'badToolArguments'
  | 'unknownTool'
  | 'unfinishedThinking';

export interface MalformedReply {
  readonly kind: 'malformed';
  readonly prose: string;
  readonly problem: MalformedProblem;
  /** Sent back to the model so it can correct itself. */
  readonly observation: string;
  /** Shown to the user. */
  readonly notice: string;
}

export type ParsedReply = AnswerReply | ActionReply | MalformedReply;

export { extractCode } from './actionCode';
export { ActionStreamDetector, type StreamProgress } from './actionStreamDetector';

/** Decides what a finished reply means. */
export interface ParseOptions {
  /**
   * A block in another language is part of the answer (a SQL query or a shell command for the
   * user), not a failed action: set once the model was told such blocks do not run and sent
   * one again.
   */
  readonly foreignBlocksAnswer?: boolean;
}

export function parseReply(received: ReplyForParsing, format: ActionFormat, options: ParseOptions = {}): ParsedReply {
  const reply = withoutStrayThought(received);
  // A tool call is structured and complete whatever the text did; without one, a reply that
  // ended mid-thought has nothing else in it (a think block only opens at the start).
  if (reply.thinking === 'open' && reply.toolCalls.length === 0) return unfinishedThinkingReply(reply.finishReason, format);
  if (format === 'tools') return parseToolReply(reply);
  const scan = scanReply(reply.text, format);
  const action = scan.action;
  if (!action) {
    if (scan.unsupportedTag) return unsupportedTagReply(reply.text, scan.unsupportedTag.name, format);
    if (scan.foreignBlock && !options.foreignBlocksAnswer && scan.shownBlocks === 0) {
      return foreignLanguageReply(reply.text, scan.foreignBlock.language, format);
    }
    return { kind: 'answer', prose: reply.text.trim(), cutOff: isCutOff(reply.finishReason) };
  }
  const textBefore = reply.text.slice(0, action.start);
  const prose = withoutCopiedLabel(textBefore.trim());
  // An action whose closing markup never came is still complete unless the model was cut off:
  // servers leave the `</execute>` stop sequence out of the text, and models sometimes end a
  // reply inside a fence. Cut off (length, content filter) it is incomplete and must not run.
  if (action.end === undefined && isCutOff(reply.finishReason)) {
    return cutOffReply(prose, action.source, reply.finishReason);
  }
  const unwrapped = unwrapCode(reply.text.slice(action.codeStart, action.codeEnd), action.runs);
  if (unwrapped.code.trim() === '') return emptyActionReply(prose, action.source);
  const skipped = scan.foreignBlock && scan.foreignBlock.start < action.start ? scan.foreignBlock.language : undefined;
  return {
    kind: 'action',
    prose,
    textBefore,
    code: cellCode(unwrapped.code, unwrapped.language),
    source: action.source,
    toolCall: undefined,
    extraToolCalls: [],
    skippedLanguage: skipped,
    language: unwrapped.language,
    tag: action.tag,
    note: undefined,
  };
}

/** Prose that ends with a web UI's "pythonCopy code" before the tag: the label is not prose. */
function withoutCopiedLabel(prose: string): string {
  const lines = prose.split('\n');
  const last = lines.at(-1) ?? '';
  if (lines.length > 0 && /copy\s*code\s*$/i.test(last) && isCopiedCodeLabel(last)) return lines.slice(0, -1).join('\n').trim();
  return prose.replace(/\s*\b[a-z0-9]+Copy code$/i, '').trim();
}

/**
 * A reply whose text closes a thought it never opened (its `<think>` was in the prompt) has
 * only thought before that stray `</think>`, never an action. The stream detector normally
 * takes it out already; this covers text that did not come through it.
 */
function withoutStrayThought(reply: ReplyForParsing): ReplyForParsing {
  if (reply.thinking !== 'none') return reply;
  const separator = new ThoughtSeparator();
  const step = separator.push(reply.text);
  if (!step.restarted) return reply;
  return { ...reply, text: step.text + separator.finish(), thinking: separator.state };
}

function parseToolReply(reply: ReplyForParsing): ParsedReply {
  const prose = reply.text.trim();
  const [first, ...rest] = reply.toolCalls;
  if (!first) return { kind: 'answer', prose, cutOff: isCutOff(reply.finishReason) };
  if (isCutOff(reply.finishReason)) return cutOffReply(prose, 'tool', reply.finishReason);
  const toolAction = (code: string, toolCall: ModelToolCall, language: ActionLanguage, note: string | undefined): ParsedReply => ({
    kind: 'action',
    prose,
    textBefore: reply.text,
    code,
    source: 'tool',
    toolCall,
    extraToolCalls: rest,
    skippedLanguage: undefined,
    language,
    tag: undefined,
    note,
  });
  if (first.name !== EXECUTE_TOOL_NAME) {
    const command = SHELL_TOOL_NAMES.has(first.name.toLowerCase()) ? parseShellArguments(first.argumentsJson) : undefined;
    if (command !== undefined && command.trim() !== '') {
      // OpenHands' execute_bash {"command"}: a shell command, run as a %%bash cell like
      // <execute_bash>. It goes back as the execute_python call that ran that cell.
      const cell = cellCode(command.trim(), 'bash');
      const renamed = { ...first, name: EXECUTE_TOOL_NAME, argumentsJson: executeArguments(cell) };
      return toolAction(cell, renamed, 'bash', `(There is no tool named "${first.name}"; your command ran as a %%bash cell through ${EXECUTE_TOOL_NAME}, the only tool here. Call ${EXECUTE_TOOL_NAME} next time.)`);
    }
    const borrowed = parseExecuteArguments(first.argumentsJson);
    if (borrowed.ok && extractCode(borrowed.code).trim() !== '') {
      // A tool of another name (python, run_code, ipython…) whose arguments hold code: plainly an
      // attempt to run it. It runs as execute_python, and the model is told the name to use.
      const code = extractCode(borrowed.code);
      const renamed = { ...first, name: EXECUTE_TOOL_NAME, argumentsJson: executeArguments(code) };
      return toolAction(code, renamed, 'python', `(There is no tool named "${first.name}"; your call ran as ${EXECUTE_TOOL_NAME}, the only tool here. Call ${EXECUTE_TOOL_NAME} next time.)`);
    }
    return {
      kind: 'malformed',
      prose,
      problem: 'unknownTool',
      observation: `There is no tool named "${first.name}". The only tool is ${EXECUTE_TOOL_NAME}, called with {"code": "<python code>"}.`,
      notice: `The model called an unknown tool "${first.name}"; it was told to use ${EXECUTE_TOOL_NAME}.`,
    };
  }
  const parsed = parseExecuteArguments(first.argumentsJson);
  if (!parsed.ok) {
    return {
      kind: 'malformed',
      prose,
      problem: 'badToolArguments',
      observation: `Your ${EXECUTE_TOOL_NAME} call could not be read (${parsed.reason}), so nothing ran. Call it with JSON arguments like {"code": "print(1)"}.`,
      notice: `The model's ${EXECUTE_TOOL_NAME} call could not be read (${parsed.reason}); it was asked again.`,
    };
  }
  const code = extractCode(parsed.code);
  if (code.trim() === '') return emptyActionReply(prose, 'tool');
  return toolAction(code, first, 'python', undefined);
}

/** Shell tools of other agents' prompts (OpenHands' execute_bash, and the usual names). */
const SHELL_TOOL_NAMES: ReadonlySet<string> = new Set(['execute_bash', 'bash', 'shell', 'run_shell', 'run_shell_command', 'execute_shell', 'terminal']);

/**
 * The command of a shell tool call's arguments: `command`, `cmd` or `code` (a tool named for
 * the shell holds shell text whatever its argument is called); undefined when there is none.
 */
function parseShellArguments(argumentsJson: string): string | undefined {
  try {
    const value: unknown = JSON.parse(argumentsJson);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const { command, cmd, code } = value as Record<string, unknown>;
    return [command, cmd, code].find((text): text is string => typeof text === 'string');
  } catch {
    return undefined;
  }
}

function isCutOff(reason: FinishReason): boolean {
  return reason === 'length' || reason === 'contentFilter';
}

function describeCutOff(reason: FinishReason): string {
  if (reason === 'length') return ' (the output length limit was reached)';
  if (reason === 'contentFilter') return " (the provider's content filter stopped it)";
  return '';
}

function cutOffReply(prose: string, source: ActionSource, reason: FinishReason): MalformedReply {
  const where =
    source === 'tags'
      ? `Your reply was cut off before ${EXECUTE_CLOSE}`
      : source === 'markdown'
        ? 'Your reply was cut off before its code block was closed'
        : `Your ${EXECUTE_TOOL_NAME} call was cut off`;
  return {
    kind: 'malformed',
    prose,
    problem: 'cutOffAction',
    observation: `${where}${describeCutOff(reason)}, so the code did not run. Write shorter code, or do the work in smaller steps.`,
    notice: `The model's reply was cut off before its code was complete${describeCutOff(reason)}; it was asked to write shorter code.`,
  };
}

/**
 * A reply that ended inside its think block: cut off by the output limit, or ended by the
 * `</execute>` stop sequence written while thinking (the server cannot tell thinking from the
 * reply). Nothing in the thought runs. It is not an answer either: ending the turn would leave
 * the user an empty reply and the task undone, so the model is asked to go on, and the attempt
 * counts as a failure, so the consecutive-failure limit ends a model that keeps doing it.
 */
function unfinishedThinkingReply(reason: FinishReason, format: ActionFormat): MalformedReply {
  if (isCutOff(reason)) {
    return {
      kind: 'malformed',
      prose: '',
      problem: 'unfinishedThinking',
      observation: `Your reply was cut off while you were still thinking${describeCutOff(reason)}, so there was no answer and nothing ran. Think more briefly, close your thinking with </think>, then write the action or your answer after it.`,
      notice: `The model's reply was cut off while it was still thinking${describeCutOff(reason)}; it was asked to think more briefly.`,
    };
  }
  const stopSequenceHint = format === 'auto' || format === 'tags' ? ` Do not write ${EXECUTE_CLOSE} while thinking: it ends your reply.` : '';
  return {
    kind: 'malformed',
    prose: '',
    problem: 'unfinishedThinking',
    observation: `Your reply ended inside your <think> block, so there was no answer and nothing ran: code inside <think>…</think> is never run. Finish thinking with </think>, then write the action or your answer after it.${stopSequenceHint}`,
    notice: "The model's reply ended while it was still thinking, before any answer or action; it was asked to finish thinking and go on.",
  };
}

function emptyActionReply(prose: string, source: ActionSource): MalformedReply {
  const block =
    source === 'tags' ? `${EXECUTE_OPEN} block` : source === 'markdown' ? '```python block' : `${EXECUTE_TOOL_NAME} call`;
  const fix =
    source === 'tags'
      ? `Put the Python code between ${EXECUTE_OPEN} and ${EXECUTE_CLOSE}`
      : source === 'markdown'
        ? 'Put the Python code inside the block'
        : 'Pass the code as {"code": "..."}';
  return {
    kind: 'malformed',
    prose,
    problem: 'emptyAction',
    observation: `Your ${block} was empty, so nothing ran. ${fix}, or answer without code when you are done.`,
    notice: 'The model proposed an empty code block; it was asked again.',
  };
}

/** One sentence naming the forms that run in this action format. */
export function runnableForms(format: ActionFormat): string {
  switch (format) {
    case 'auto':
      return `Only these run here: Python in ${EXECUTE_OPEN}…${EXECUTE_CLOSE} (or <execute_ipython>…</execute_ipython>, or a \`\`\`python block), and shell commands in <execute_bash>…</execute_bash>.`;
    case 'tags':
      return `Only these run here: Python in ${EXECUTE_OPEN}…${EXECUTE_CLOSE} (or <execute_ipython>…</execute_ipython>), and shell commands in <execute_bash>…</execute_bash>.`;
    case 'markdown':
      return 'Only a ```python block runs here (for shell commands, use lines starting with "!" in it).';
    case 'tools':
      return `Only the ${EXECUTE_TOOL_NAME} tool runs here, called with {"code": "<python code>"}.`;
  }
}

function foreignLanguageReply(text: string, language: string, format: ActionFormat): MalformedReply {
  return {
    kind: 'malformed',
    prose: text.trim(),
    problem: 'foreignLanguage',
    observation:
      `Your reply has a \`\`\`${language} block, which was not run. ${runnableForms(format)} ` +
      'If the block is part of your answer (code for the user, not to run here), send the answer again as it is: it will be shown.',
    notice: `The model wrote a ${language} block, which CodeAct does not run; it was told which forms run.`,
  };
}

function unsupportedTagReply(text: string, name: string, format: ActionFormat): MalformedReply {
  return {
    kind: 'malformed',
    prose: text.trim(),
    problem: 'unsupportedAction',
    observation: `Your <${name}> block was not run: it is not an action CodeAct can run. ${runnableForms(format)}`,
    notice: `The model wrote <${name}>, which CodeAct cannot run; it was told which forms run.`,
  };
}

/** The reply text kept in the history for an action: the prose, then the action as it ran. */
export function replyTextWithAction(textBefore: string, code: string, source: ActionSource, tag?: string): string {
  switch (source) {
    case 'tags': {
      // A shell action goes back as the model wrote it while it is still a %%bash cell.
      const script = /^%%bash\n/.exec(code) ? code.slice('%%bash\n'.length) : undefined;
      if (tag === 'execute_bash' && script !== undefined) return `${textBefore}<execute_bash>\n${script}\n</execute_bash>`;
      const name = tag === 'execute_ipython' || tag === 'code' ? tag : 'execute';
      return `${textBefore}<${name}>\n${code}\n</${name}>`;
    }
    case 'markdown':
      return `${textBefore}${textBefore === '' || textBefore.endsWith('\n') ? '' : '\n'}\`\`\`python\n${code}\n\`\`\``;
    case 'tool':
      return textBefore;
  }
}
