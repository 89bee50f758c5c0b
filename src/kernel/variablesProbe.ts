/**
 * A silent probe that lists the user's variables in a Python kernel, so the model knows what
 * already exists (a loaded DataFrame, say) without re-running anything. The snippet prints one
 * JSON line between markers; it defines nothing in the user's namespace (all in a function it
 * deletes) and caps what it reports.
 */
import type { KernelVariable } from '../agent/systemPrompt';

const START = '__CODEACT_VARIABLES__';
const END = '__CODEACT_VARIABLES_END__';
export const MAX_PROBED_VARIABLES = 40;

export const VARIABLES_PROBE_CODE = `
def __codeact_list_variables():
    import json, types, sys
    skip = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    ns = sys.modules['__main__'].__dict__
    found = []
    for name, value in list(ns.items()):
        if name.startswith('_') or name in ('In', 'Out', 'exit', 'quit', 'get_ipython') or isinstance(value, skip):
            continue
        kind = type(value).__name__
        try:
            if hasattr(value, 'shape') and hasattr(value, 'dtypes') and hasattr(value, 'columns'):
                cols = ', '.join(str(c) for c in list(value.columns)[:12])
                summary = '%d rows x %d columns: %s' % (value.shape[0], value.shape[1], cols)
            elif hasattr(value, 'shape') and hasattr(value, 'dtype'):
                summary = 'shape %s, dtype %s' % (tuple(value.shape), value.dtype)
            elif isinstance(value, (list, tuple, set, dict)):
                summary = '%d items' % len(value)
            else:
                summary = repr(value)
        except Exception:
            summary = ''
        found.append({'name': name, 'type': kind, 'summary': summary[:120]})
        if len(found) >= ${MAX_PROBED_VARIABLES}:
            break
    print('${START}' + json.dumps(found) + '${END}')
__codeact_list_variables()
del __codeact_list_variables
`.trim();

/** Reads the probe's printed JSON; undefined when the output holds no well-formed answer. */
export function parseVariablesProbe(stdout: string): KernelVariable[] | undefined {
  const start = stdout.lastIndexOf(START);
  const end = stdout.lastIndexOf(END);
  if (start < 0 || end < start) return undefined;
  try {
    const parsed: unknown = JSON.parse(stdout.slice(start + START.length, end));
    if (!Array.isArray(parsed)) return undefined;
    const variables: KernelVariable[] = [];
    for (const item of parsed.slice(0, MAX_PROBED_VARIABLES)) {
      if (typeof item !== 'object' || item === null) continue;
      const { name, type, summary } = item as Record<string, unknown>;
      if (typeof name !== 'string' || typeof type !== 'string') continue;
      variables.push({ name, type, ...(typeof summary === 'string' && summary ? { summary } : {}) });
    }
    return variables;
  } catch {
    return undefined;
  }
}
