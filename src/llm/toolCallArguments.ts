/**
 * A tool call's arguments as the model wrote them may not be JSON (a cut-off reply, a model
 * that wrote bare code). The history sent back must be: strict servers (Ollama, gateways to
 * other APIs) refuse a request whose earlier tool calls carry invalid arguments, which would
 * break the chat for good. What the model wrote is kept, as the `code` it meant.
 */

/** The arguments as a JSON object: as written when they are one, else what could be read. */
export function toolArgumentsObject(argumentsJson: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsJson.trim() === '' ? '{}' : argumentsJson);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { value };
  } catch {
    return { code: cutOffCode(argumentsJson) ?? argumentsJson };
  }
}

/** The arguments as JSON text, unchanged when they already are a JSON object. */
export function toolArgumentsJson(argumentsJson: string): string {
  try {
    const value: unknown = JSON.parse(argumentsJson);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return argumentsJson;
  } catch {
    // not JSON: rebuilt below
  }
  return JSON.stringify(toolArgumentsObject(argumentsJson));
}

/** The code of `{"code": "…` cut off before its string closed. */
function cutOffCode(text: string): string | undefined {
  const start = /^\s*\{\s*"code"\s*:\s*"/.exec(text);
  if (!start) return undefined;
  let body = text.slice(start[0].length);
  // Drop a half-written escape at the cut, then close the string to read it.
  body = body.replace(/\\u[0-9a-fA-F]{0,3}$|\\$/, '');
  const end = /(?<!\\)(?:\\\\)*"/.exec(body);
  const literal = end ? body.slice(0, end.index + end[0].length - 1) : body;
  try {
    return JSON.parse(`"${literal}"`) as string;
  } catch {
    return undefined;
  }
}
