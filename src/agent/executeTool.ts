/**
 * The `execute_python` function tool, for the 'tools' action format: the same action as an
 * `<execute>` block, expressed through a provider's native tool calling.
 */
import type { ToolDefinition } from '../llm/chatModel';

export const EXECUTE_TOOL_NAME = 'execute_python';

export const EXECUTE_TOOL: ToolDefinition = {
  name: EXECUTE_TOOL_NAME,
  description:
    'Run Python code in the live Jupyter kernel of the notebook. State persists between calls. ' +
    'Returns what the cell printed and displayed, or its traceback.',
  parameters: {
    type: 'object',
    properties: {
      code: { type: 'string', description: 'The Python code to run, as a notebook cell.' },
    },
    required: ['code'],
    additionalProperties: false,
  },
};

export type ExecuteArguments = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly reason: string };

/** Reads the code out of a tool call's JSON arguments. */
export function parseExecuteArguments(argumentsJson: string): ExecuteArguments {
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson.trim() === '' ? '{}' : argumentsJson);
  } catch {
    return { ok: false, reason: 'the arguments were not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'the arguments were not a JSON object' };
  }
  const code = (value as { code?: unknown }).code;
  if (typeof code !== 'string') return { ok: false, reason: 'the arguments had no "code" string' };
  return { ok: true, code };
}

/** The arguments JSON for code that ran (after a user's edit). */
export function executeArguments(code: string): string {
  return JSON.stringify({ code });
}
