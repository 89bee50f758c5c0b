import * as assert from 'node:assert/strict';
import { mergeStreamChunks, OutputCollector, type KernelOutput } from '../../../src/kernel/kernelOutputs';
import { JsonLinesDecoder } from '../../../src/kernel/jsonLinesDecoder';
import { parseBridgeEvent } from '../../../src/kernel/bridgeProtocol';

const out = (text: string): KernelOutput => ({ kind: 'stream', name: 'stdout', text });
const err = (text: string): KernelOutput => ({ kind: 'stream', name: 'stderr', text });

describe('kernel outputs: one model for every route', () => {
  it('merges consecutive chunks of the same stream, as a notebook cell shows them', () => {
    const result = { kind: 'data', isResult: true, data: { 'text/plain': '1' }, metadata: {} } as const;
    assert.deepEqual(mergeStreamChunks([out('a'), out('b'), err('c'), err('d'), result, out('e')]), [out('ab'), err('cd'), result, out('e')]);
  });

  it('honours clear_output, immediately or (wait) at the next output', () => {
    const collector = new OutputCollector();
    collector.add(out('1'));
    collector.clear(false);
    assert.deepEqual(collector.outputs, []);
    collector.add(out('2'));
    collector.clear(true);
    assert.deepEqual(collector.outputs, [out('2')]);
    collector.add(out('3'));
    assert.deepEqual(collector.outputs, [out('3')]);
  });

  it('replaces a displayed output when it is updated by display id', () => {
    const collector = new OutputCollector();
    collector.add({ kind: 'data', isResult: false, data: { 'text/plain': 'v1' }, metadata: {}, displayId: 'p' });
    collector.add(out('x'));
    collector.update('p', { kind: 'data', isResult: false, data: { 'text/plain': 'v2' }, metadata: {}, displayId: 'p' });
    assert.deepEqual(collector.outputs, [{ kind: 'data', isResult: false, data: { 'text/plain': 'v2' }, metadata: {}, displayId: 'p' }, out('x')]);
  });
});

describe('JSON-lines decoding of the bridge output', () => {
  it('handles lines split across chunks, even inside a multi-byte character', () => {
    const values: unknown[] = [];
    const decoder = new JsonLinesDecoder((v) => values.push(v));
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\r\n\n{"c"', 'utf8');
    for (let i = 0; i < bytes.length; i += 3) decoder.push(bytes.subarray(i, i + 3));
    decoder.push(Buffer.from(':3}'));
    decoder.end();
    assert.deepEqual(values, [{ a: 'é' }, { b: 2 }, { c: 3 }]);
  });

  it('decodes a 10 MB line delivered in 64 KB chunks', () => {
    const values: unknown[] = [];
    const decoder = new JsonLinesDecoder((v) => values.push(v));
    const line = Buffer.from(`${JSON.stringify({ text: 'x'.repeat(10_000_000) })}\n`);
    for (let i = 0; i < line.length; i += 65_536) decoder.push(line.subarray(i, i + 65_536));
    assert.equal(values.length, 1);
    assert.equal((values[0] as { text: string }).text.length, 10_000_000);
  });

  it('reports a line that is not JSON and carries on', () => {
    const values: unknown[] = [];
    const invalid: string[] = [];
    const decoder = new JsonLinesDecoder((v) => values.push(v), (line) => invalid.push(line));
    decoder.push(Buffer.from('hello from a stray print\n{"ok":true}\n'));
    assert.deepEqual(invalid, ['hello from a stray print']);
    assert.deepEqual(values, [{ ok: true }]);
  });

  it('accepts only well-formed bridge events', () => {
    assert.equal(parseBridgeEvent({ type: 'nonsense' }), undefined);
    assert.equal(parseBridgeEvent('ready'), undefined);
    assert.equal(parseBridgeEvent({ type: 'ready' }), undefined, 'ready without a pid');
    assert.deepEqual(parseBridgeEvent({ type: 'done', id: 'x1', status: 'weird', execution_count: null }), { type: 'done', id: 'x1', status: 'error' });
    assert.deepEqual(parseBridgeEvent({ type: 'display', id: 'x1', kind: 'execute_result', data: { 'text/plain': '1', bad: 3 }, metadata: {}, execution_count: 4, display_id: null }), {
      type: 'output',
      id: 'x1',
      isUpdate: false,
      output: { kind: 'data', isResult: true, data: { 'text/plain': '1' }, metadata: {}, executionCount: 4 },
    });
  });
});
