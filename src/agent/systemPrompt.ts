/**
 * Builds the system prompt from the readable templates in `prompts/` and what the host knows
 * about the environment. Pure: the host reads the notebook, the kernel's variables, the
 * `codeact.instructions` setting and `.codeact/instructions.md`, and passes them in.
 *
 * Everything taken from the notebook is truncated so a big cell or output cannot crowd out the
 * conversation: the last few cells, each source and output capped, a bounded variable list.
 */
import markdownFormat from './prompts/actionFormat.markdown.md';
import tagsFormat from './prompts/actionFormat.tags.md';
import toolsFormat from './prompts/actionFormat.tools.md';
import systemTemplate from './prompts/system.md';
import type { ActionFormat } from './replyScanner';

export interface NotebookCellSummary {
  readonly kind: 'code' | 'markdown';
  readonly source: string;
  /** The cell's outputs as text (empty when none). */
  readonly outputText?: string;
  readonly executionCount?: number;
}

export interface KernelVariable {
  readonly name: string;
  readonly type: string;
  /** A short value summary, e.g. "DataFrame 1000 rows × 5 columns". */
  readonly summary?: string;
}

/** What the host could tell about the kernel, for the model's context. */
export interface KernelContext {
  /** Variables in the kernel, when the host could list them. */
  readonly variables?: readonly KernelVariable[];
  /** Where relative paths resolve; `checked` when the kernel itself said so (os.getcwd()). */
  readonly workingDirectory?: { readonly path: string; readonly checked: boolean };
}

export interface SystemPromptContext {
  readonly actionFormat: ActionFormat;
  /** e.g. "CodeAct Python (Python 3.11.2)"; undefined before a kernel is chosen. */
  readonly kernelName?: string;
  readonly workingDirectory?: KernelContext['workingDirectory'];
  readonly notebookName?: string;
  /** The notebook's cells, oldest first; only the last few are included. */
  readonly recentCells?: readonly NotebookCellSummary[];
  /** Variables in the kernel, when the host could list them. */
  readonly variables?: readonly KernelVariable[];
  /** Whether images from outputs reach this model. */
  readonly modelSeesImages?: boolean;
  /** The `codeact.instructions` setting. */
  readonly userInstructions?: string;
  /** The contents of `.codeact/instructions.md`. */
  readonly workspaceInstructions?: string;
}

export const PROMPT_LIMITS = {
  cells: 8,
  cellSourceChars: 1_500,
  cellOutputChars: 600,
  variables: 40,
  variableSummaryChars: 120,
  instructionsChars: 8_000,
} as const;

/** The complete system prompt. */
export function buildSystemPrompt(context: SystemPromptContext): string {
  return renderTemplate(systemTemplate, {
    actionFormat: actionFormatText(context.actionFormat).trim(),
    imageNote: context.modelSeesImages ? ' You also see them in observations.' : ' You only see a short description of them.',
    environment: environmentText(context),
    instructions: instructionsText(context),
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function actionFormatText(format: ActionFormat): string {
  switch (format) {
    case 'auto':
    case 'tags':
      // 'auto' also accepts fenced blocks, but asks for tags: their stop sequence ends the
      // reply right after the action, as in the CodeAct paper.
      return tagsFormat;
    case 'markdown':
      return markdownFormat;
    case 'tools':
      return toolsFormat;
  }
}

/** Replaces each `{{name}}`; a placeholder without a value is a bug, so it throws. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`System prompt template: no value for {{${name}}}`);
    return value;
  });
}

function environmentText(context: SystemPromptContext): string {
  const lines: string[] = [];
  lines.push(context.kernelName ? `- Kernel: ${context.kernelName}.` : '- Kernel: not started yet; it starts with your first action.');
  const folder = context.workingDirectory;
  if (folder) lines.push(folder.checked ? `- Working directory: ${folder.path}` : `- Working directory: probably ${folder.path} (not checked in this kernel; os.getcwd() tells)`);
  if (context.notebookName) lines.push(`- Notebook: ${context.notebookName}`);
  const sections = [lines.join('\n')];

  const cells = context.recentCells ?? [];
  if (cells.length > 0) sections.push(cellsText(cells));
  const variables = context.variables ?? [];
  if (variables.length > 0) sections.push(variablesText(variables));
  return sections.join('\n\n');
}

function cellsText(cells: readonly NotebookCellSummary[]): string {
  const shown = cells.slice(-PROMPT_LIMITS.cells);
  const omitted = cells.length - shown.length;
  const parts = [`The notebook's last ${shown.length} cells${omitted > 0 ? ` (${omitted} earlier cells not shown)` : ''}, oldest first:`];
  for (const cell of shown) {
    const label = cell.kind === 'code' ? `Code cell${cell.executionCount !== undefined ? ` [${cell.executionCount}]` : ''}` : 'Markdown cell';
    const source = truncate(cell.source.trim(), PROMPT_LIMITS.cellSourceChars);
    const fence = cell.kind === 'code' ? '```python' : '```markdown';
    let text = `${label}:\n${fence}\n${source}\n\`\`\``;
    const output = cell.outputText?.trim();
    if (output) text += `\nOutput:\n\`\`\`text\n${truncate(output, PROMPT_LIMITS.cellOutputChars)}\n\`\`\``;
    parts.push(text);
  }
  return parts.join('\n\n');
}

function variablesText(variables: readonly KernelVariable[]): string {
  const shown = variables.slice(0, PROMPT_LIMITS.variables);
  const lines = shown.map((v) => {
    const summary = v.summary ? ` — ${truncate(v.summary.replace(/\s+/g, ' ').trim(), PROMPT_LIMITS.variableSummaryChars)}` : '';
    return `- ${v.name}: ${v.type}${summary}`;
  });
  const more = variables.length - shown.length;
  if (more > 0) lines.push(`- … and ${more} more`);
  return `Variables in the kernel:\n${lines.join('\n')}`;
}

function instructionsText(context: SystemPromptContext): string {
  const sections: string[] = [];
  const user = context.userInstructions?.trim();
  if (user) sections.push(`## Instructions from the user\n\n${truncate(user, PROMPT_LIMITS.instructionsChars)}`);
  const workspace = context.workspaceInstructions?.trim();
  if (workspace) {
    sections.push(`## Instructions for this workspace (.codeact/instructions.md)\n\n${truncate(workspace, PROMPT_LIMITS.instructionsChars)}`);
  }
  return sections.length > 0 ? `\n${sections.join('\n\n')}` : '';
}

/** Caps text, keeping the head and the tail with a marker between. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor((maxChars - 20) / 2);
  return `${text.slice(0, half)}\n… [truncated] …\n${text.slice(text.length - half)}`;
}
