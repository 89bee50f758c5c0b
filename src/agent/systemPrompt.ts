/**
 * Builds the system prompt from the readable templates in `prompts/`, the action format, and
 * the user's instructions (`codeact.instructions`, `.codeact/instructions.md`), which the host
 * reads and passes in. Pure. The limits on what is taken from the notebook (used by the
 * environment note) live here too, so a big cell or output cannot crowd out the conversation.
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

/**
 * What the system prompt is made of: only what stays the same for a whole chat, so providers
 * can cache it with the history after it. The kernel and notebook go into the conversation
 * instead (environmentNote.ts).
 */
export interface SystemPromptContext {
  readonly actionFormat: ActionFormat;
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

function instructionsText(context: SystemPromptContext): string {
  const sections: string[] = [];
  const user = context.userInstructions?.trim();
  if (user) sections.push(`## Instructions from the user\n\n${truncateMiddle(user, PROMPT_LIMITS.instructionsChars)}`);
  const workspace = context.workspaceInstructions?.trim();
  if (workspace) {
    sections.push(`## Instructions for this workspace (.codeact/instructions.md)\n\n${truncateMiddle(workspace, PROMPT_LIMITS.instructionsChars)}`);
  }
  return sections.length > 0 ? `\n${sections.join('\n\n')}` : '';
}

/** Caps text, keeping the head and the tail with a marker between. */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor((maxChars - 20) / 2);
  return `${text.slice(0, half)}\n… [truncated] …\n${text.slice(text.length - half)}`;
}
