/**
 * What the model is told about the kernel and the notebook, and when.
 *
 * Not in the system prompt: providers cache a request's prefix, and a system prompt that
 * changes with the kernel's variables would make every request of a chat start cold (and,
 * built once per turn, it went stale after the first action). Instead the environment travels
 * with the conversation, where it stays put once sent:
 * - each user message starts with a note of the environment at that moment (kernel, working
 *   folder, notebook, the cells the model has not seen yet, the variables it was not told);
 * - each action's observation ends with the variables that action created, changed or removed.
 * What was told is kept with the conversation ({@link ToldEnvironment}), so nothing is sent twice,
 * across turns and window reloads alike.
 */
import { createHash } from 'node:crypto';
import { PROMPT_LIMITS, type KernelContext, type KernelVariable, type NotebookCellSummary, truncateMiddle } from './systemPrompt';

/** The environment as the host read it before a request. */
export interface EnvironmentSnapshot {
  /** e.g. "CodeAct Python (Python 3.11.2)"; undefined before a kernel is chosen. */
  readonly kernelName?: string;
  readonly workingDirectory?: KernelContext['workingDirectory'];
  readonly notebookName?: string;
  /** The notebook's cells, oldest first (without this conversation's own action cells). */
  readonly recentCells?: readonly NotebookCellSummary[];
  /** Undefined when the host could not list them; empty when there are none. */
  readonly variables?: readonly KernelVariable[];
}

/** What the model has been told so far: each variable's last line, and the cells it saw. */
export interface ToldEnvironment {
  readonly variables: Readonly<Record<string, string>>;
  /** Digests of the cells shown, most recent last (bounded). */
  readonly cells: readonly string[];
}

export const NOTHING_TOLD: ToldEnvironment = { variables: {}, cells: [] };

/** Cell digests kept: enough to recognise any cell a recent note showed. */
const TOLD_CELLS_KEPT = 64;

/** The note that starts a user message, and what the model knows once it is sent. */
export function environmentNote(snapshot: EnvironmentSnapshot, told: ToldEnvironment): { text: string; told: ToldEnvironment } {
  const lines = [snapshot.kernelName ? `- Kernel: ${snapshot.kernelName}.` : '- Kernel: not started yet; it starts with your first action.'];
  const folder = snapshot.workingDirectory;
  if (folder) lines.push(folder.checked ? `- Working directory: ${folder.path}` : `- Working directory: probably ${folder.path} (not checked in this kernel; os.getcwd() tells)`);
  if (snapshot.notebookName) lines.push(`- Notebook: ${snapshot.notebookName}`);
  const sections = [`Environment now (from CodeAct, not the user):\n${lines.join('\n')}`];

  const cells = (snapshot.recentCells ?? []).slice(-PROMPT_LIMITS.cells).map(renderCell);
  const seen = new Set(told.cells);
  const unseen = cells.filter((cell) => !seen.has(digest(cell)));
  if (unseen.length > 0) {
    const unchanged = cells.length - unseen.length;
    const heading = `Notebook cells you have not seen${unchanged > 0 ? ` (${unchanged} more, shown before, are unchanged)` : ''}, oldest first:`;
    sections.push([heading, ...unseen].join('\n\n'));
  }
  const firstTime = Object.keys(told.variables).length === 0;
  const variables = variableChanges(snapshot.variables, told.variables, firstTime ? 'Variables in the kernel' : 'Variables new or changed since you were last told');
  if (variables.text) sections.push(variables.text);
  const cellsTold = [...told.cells.filter((key) => !cells.some((cell) => digest(cell) === key)), ...cells.map(digest)].slice(-TOLD_CELLS_KEPT);
  return { text: sections.join('\n\n'), told: { variables: variables.told, cells: cellsTold } };
}

/**
 * The line an observation ends with when the action changed the kernel's variables; undefined
 * text when nothing changed or the host could not list them.
 */
export function variablesChangedNote(variables: readonly KernelVariable[] | undefined, told: ToldEnvironment): { text: string | undefined; told: ToldEnvironment } {
  const changes = variableChanges(variables, told.variables, 'Variables this action created or changed');
  return { text: changes.text, told: { ...told, variables: changes.told } };
}

/** A user message with its environment note, as the model reads it. */
export function requestText(text: string, environment: string | undefined): string {
  return environment ? `${environment}\n\nThe user's message:\n${text}` : text;
}

function variableChanges(
  variables: readonly KernelVariable[] | undefined,
  told: Readonly<Record<string, string>>,
  heading: string,
): { text: string | undefined; told: Readonly<Record<string, string>> } {
  if (variables === undefined) return { text: undefined, told };
  const now = new Map(variables.slice(0, PROMPT_LIMITS.variables).map((v) => [v.name, variableLine(v)]));
  const changed = [...now].filter(([name, line]) => told[name] !== line).map(([, line]) => line);
  // A list cut at its cap says nothing about the names beyond it.
  const complete = variables.length < PROMPT_LIMITS.variables;
  const removed = complete ? Object.keys(told).filter((name) => !now.has(name)) : [];
  const parts: string[] = [];
  if (changed.length > 0) parts.push(`${heading}:\n${changed.join('\n')}`);
  if (!complete) parts.push(`(the kernel has more variables than the ${PROMPT_LIMITS.variables} listed)`);
  if (removed.length > 0) parts.push(`No longer defined: ${removed.map((name) => `\`${name}\``).join(', ')}`);
  const nextTold: Record<string, string> = complete ? {} : { ...told };
  for (const [name, line] of now) nextTold[name] = line;
  return { text: changed.length > 0 || removed.length > 0 ? parts.join('\n') : undefined, told: nextTold };
}

function variableLine(variable: KernelVariable): string {
  const summary = variable.summary ? ` — ${truncateMiddle(variable.summary.replace(/\s+/g, ' ').trim(), PROMPT_LIMITS.variableSummaryChars)}` : '';
  return `- ${variable.name}: ${variable.type}${summary}`;
}

function renderCell(cell: NotebookCellSummary): string {
  const label = cell.kind === 'code' ? `Code cell${cell.executionCount !== undefined ? ` [${cell.executionCount}]` : ''}` : 'Markdown cell';
  const fence = cell.kind === 'code' ? '```python' : '```markdown';
  let text = `${label}:\n${fence}\n${truncateMiddle(cell.source.trim(), PROMPT_LIMITS.cellSourceChars)}\n\`\`\``;
  const output = cell.outputText?.trim();
  if (output) text += `\nOutput:\n\`\`\`text\n${truncateMiddle(output, PROMPT_LIMITS.cellOutputChars)}\n\`\`\``;
  return text;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Validates a persisted {@link ToldEnvironment}; undefined for anything malformed (then nothing counts as told). */
export function parseToldEnvironment(raw: unknown): ToldEnvironment | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { variables, cells } = raw as Record<string, unknown>;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return undefined;
  if (!Array.isArray(cells) || !cells.every((cell) => typeof cell === 'string')) return undefined;
  const lines = Object.entries(variables as Record<string, unknown>);
  if (!lines.every(([, line]) => typeof line === 'string')) return undefined;
  return { variables: Object.fromEntries(lines) as Record<string, string>, cells: cells.slice(-TOLD_CELLS_KEPT) };
}
