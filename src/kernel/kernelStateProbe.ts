/**
 * A silent probe of a Python kernel's state: the user's variables, so the model knows what
 * already exists (a loaded DataFrame, say) without re-running anything, and the kernel's
 * working directory, which is where relative paths resolve (on a Jupyter Server, the server's
 * root, not the notebook's folder). The snippet prints one JSON line between markers; it
 * defines nothing in the user's namespace (all in a function it deletes) and caps what it
 * reports.
 */
import { statSync } from 'node:fs';
import type { KernelVariable } from '../agent/systemPrompt';

/** What the probe found. */
export interface KernelState {
  readonly variables: readonly KernelVariable[];
  /** `os.getcwd()` in the kernel; undefined if it could not tell. */
  readonly workingDirectory?: string;
  /**
   * The working folder's device and inode numbers as the kernel sees them (decimal strings:
   * they can pass 2^53). The same numbers here mean the path names the same folder here, so
   * the check may judge it; a kernel on another machine or in a container names another one.
   */
  readonly workingDirectoryId?: { readonly dev: string; readonly ino: string };
}

const START = '__CODEACT_VARIABLES__';
const END = '__CODEACT_VARIABLES_END__';
export const MAX_PROBED_VARIABLES = 40;

export const KERNEL_STATE_PROBE_CODE = `
def __codeact_kernel_state():
    import json, os, types, sys
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
    try:
        cwd = os.getcwd()
    except Exception:
        cwd = None
    print('${START}' + json.dumps({'variables': found, 'cwd': cwd}) + '${END}')
__codeact_kernel_state()
del __codeact_kernel_state
`.trim();

/**
 * The small probe run before each action is checked for risks: only the working folder
 * (where the action's relative paths will land) and its identity, in the same answer format.
 */
export const KERNEL_FOLDER_PROBE_CODE = `
def __codeact_kernel_folder():
    import json, os
    try:
        cwd = os.getcwd()
        st = os.stat(cwd)
        cwd_id = {'dev': str(st.st_dev), 'ino': str(st.st_ino)}
    except Exception:
        cwd = cwd_id = None
    print('${START}' + json.dumps({'variables': [], 'cwd': cwd, 'cwdId': cwd_id}) + '${END}')
__codeact_kernel_folder()
del __codeact_kernel_folder
`.trim();

/** Reads the probe's printed JSON; undefined when the output holds no well-formed answer. */
export function parseKernelStateProbe(stdout: string): KernelState | undefined {
  const start = stdout.lastIndexOf(START);
  const end = stdout.lastIndexOf(END);
  if (start < 0 || end < start) return undefined;
  try {
    const parsed: unknown = JSON.parse(stdout.slice(start + START.length, end));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { variables: listed, cwd, cwdId } = parsed as Record<string, unknown>;
    if (!Array.isArray(listed)) return undefined;
    const variables: KernelVariable[] = [];
    for (const item of listed.slice(0, MAX_PROBED_VARIABLES)) {
      if (typeof item !== 'object' || item === null) continue;
      const { name, type, summary } = item as Record<string, unknown>;
      if (typeof name !== 'string' || typeof type !== 'string') continue;
      variables.push({ name, type, ...(typeof summary === 'string' && summary ? { summary } : {}) });
    }
    const id = typeof cwdId === 'object' && cwdId !== null ? (cwdId as Record<string, unknown>) : {};
    return {
      variables,
      ...(typeof cwd === 'string' && cwd ? { workingDirectory: cwd } : {}),
      ...(typeof id['dev'] === 'string' && typeof id['ino'] === 'string' ? { workingDirectoryId: { dev: id['dev'], ino: id['ino'] } } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the folder a kernel reported is the one its path names on this machine (same device
 * and inode), so a check here may judge paths in it. False for a kernel that did not say, or
 * whose folder is elsewhere: on another machine, or in a container that does not share it.
 */
export function isFolderHere(state: KernelState): state is KernelState & { readonly workingDirectory: string } {
  if (!state.workingDirectory || !state.workingDirectoryId) return false;
  try {
    const here = statSync(state.workingDirectory, { bigint: true });
    return here.isDirectory() && here.dev.toString() === state.workingDirectoryId.dev && here.ino.toString() === state.workingDirectoryId.ino;
  } catch {
    return false;
  }
}
