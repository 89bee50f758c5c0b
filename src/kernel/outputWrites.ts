/**
 * How to bring a cell's shown outputs up to date while its code runs, writing as little as
 * possible. Re-sending every output on each refresh (every 100 ms) makes a long training log
 * cost the square of its length: a 2.5 MB log over 18 s re-sent 228 MB, and the extension host
 * slowed down with it. Most refreshes only add text to the last stream or add new outputs, and
 * those are appended; anything else (a clear_output, an updated display) replaces all.
 *
 * Relies on the collector's outputs keeping their identity while unchanged (kernelOutputs.ts:
 * a change makes a new object). No `vscode`: unit-tested.
 */
import type { KernelOutput, StreamOutput } from './kernelOutputs';

export type OutputWrite =
  | { readonly kind: 'none' }
  | { readonly kind: 'replace' }
  | {
      readonly kind: 'append';
      /** Text added to the stream output shown at `index`. */
      readonly grown: { readonly index: number; readonly name: StreamOutput['name']; readonly text: string } | undefined;
      /** Outputs after the ones shown. */
      readonly added: readonly KernelOutput[];
    };

export function planOutputWrite(shown: readonly KernelOutput[], next: readonly KernelOutput[]): OutputWrite {
  if (next.length < shown.length) return { kind: 'replace' };
  const last = shown.length - 1;
  for (let i = 0; i < last; i++) if (next[i] !== shown[i]) return { kind: 'replace' };
  let grown: { index: number; name: StreamOutput['name']; text: string } | undefined;
  if (last >= 0 && next[last] !== shown[last]) {
    const before = shown[last];
    const after = next[last];
    if (before?.kind !== 'stream' || after?.kind !== 'stream' || after.name !== before.name || !after.text.startsWith(before.text)) return { kind: 'replace' };
    if (after.text.length > before.text.length) grown = { index: last, name: after.name, text: after.text.slice(before.text.length) };
  }
  const added = next.slice(shown.length);
  return grown === undefined && added.length === 0 ? { kind: 'none' } : { kind: 'append', grown, added };
}
