import * as assert from 'node:assert/strict';
import { OutputCollector } from '../../../src/kernel/kernelOutputs';
import { planOutputWrite } from '../../../src/kernel/outputWrites';

const stdout = (text: string) => ({ kind: 'stream' as const, name: 'stdout' as const, text });
const display = (text: string, displayId?: string) => ({ kind: 'data' as const, data: { 'text/plain': text }, metadata: {}, isResult: false, ...(displayId ? { displayId } : {}) });

describe('writing a running cell\'s outputs: append what is new, replace only when needed', () => {
  it('appends the text a training log adds to its stream, not the whole log again', () => {
    const collector = new OutputCollector();
    collector.add(stdout('epoch 1\n'));
    const shown = collector.outputs;
    collector.add(stdout('epoch 2\n'));
    assert.deepEqual(planOutputWrite(shown, collector.outputs), { kind: 'append', grown: { index: 0, name: 'stdout', text: 'epoch 2\n' }, added: [] });
  });

  it('appends new outputs after the shown ones, with the stream before them grown', () => {
    const collector = new OutputCollector();
    collector.add(stdout('a'));
    const shown = collector.outputs;
    collector.add(stdout('b'));
    collector.add(display('<plot>'));
    collector.add({ kind: 'stream', name: 'stderr', text: 'warning' });
    const plan = planOutputWrite(shown, collector.outputs);
    assert.equal(plan.kind, 'append');
    assert.deepEqual(plan.kind === 'append' ? plan.grown : undefined, { index: 0, name: 'stdout', text: 'b' });
    assert.deepEqual(plan.kind === 'append' ? plan.added.map((o) => o.kind) : [], ['data', 'stream']);
  });

  it('writes nothing when nothing changed', () => {
    const collector = new OutputCollector();
    collector.add(stdout('a'));
    assert.deepEqual(planOutputWrite(collector.outputs, collector.outputs), { kind: 'none' });
    assert.deepEqual(planOutputWrite([], []), { kind: 'none' });
  });

  it('replaces everything after a clear_output, or when an earlier display is updated', () => {
    const cleared = new OutputCollector();
    cleared.add(stdout('step 1'));
    const shownBeforeClear = cleared.outputs;
    cleared.clear(false);
    cleared.add(stdout('step 2'));
    assert.deepEqual(planOutputWrite(shownBeforeClear, cleared.outputs), { kind: 'replace' });

    const updated = new OutputCollector();
    updated.add(display('0%', 'progress'));
    updated.add(stdout('log'));
    const shownBeforeUpdate = updated.outputs;
    updated.update('progress', display('50%'));
    assert.deepEqual(planOutputWrite(shownBeforeUpdate, updated.outputs), { kind: 'replace' });
  });

  it('replaces when fewer outputs remain (a clear then one output)', () => {
    const collector = new OutputCollector();
    collector.add(stdout('a'));
    collector.add(display('b'));
    const shown = collector.outputs;
    collector.clear(true);
    collector.add(stdout('c'));
    assert.deepEqual(planOutputWrite(shown, collector.outputs), { kind: 'replace' });
  });
});
