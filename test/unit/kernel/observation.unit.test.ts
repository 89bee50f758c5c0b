import * as assert from 'node:assert/strict';
import type { ExecutionResult, KernelOutput } from '../../../src/kernel/kernelOutputs';
import { capText, collapseCarriageReturns, stripAnsi, toObservation } from '../../../src/kernel/observation';
import { imageSizeFromBase64 } from '../../../src/kernel/imageSize';

function result(outputs: KernelOutput[], extra: Partial<ExecutionResult> = {}): ExecutionResult {
  return { status: 'ok', outputs, durationMs: 12, ...extra };
}

/** A PNG's first bytes: the signature and an IHDR chunk for the given size. */
function pngBase64(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes.toString('base64');
}

/** A JPEG with an APP0 segment before its SOF0 frame header. */
function jpegBase64(width: number, height: number): string {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  const sof0 = Buffer.alloc(19);
  sof0.writeUInt16BE(0xffc0, 0);
  sof0.writeUInt16BE(17, 2);
  sof0[4] = 8;
  sof0.writeUInt16BE(height, 5);
  sof0.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]).toString('base64');
}

const stdout = (text: string): KernelOutput => ({ kind: 'stream', name: 'stdout', text });

describe('observation: what the model reads after an action', () => {
  it('keeps stdout and stderr in the order they were written, merged per stream', () => {
    const obs = toObservation(result([stdout('a\n'), stdout('b\n'), { kind: 'stream', name: 'stderr', text: 'warn\n' }, stdout('c\n')]), { maxChars: 1000 });
    assert.equal(obs.text, 'a\nb\nwarn\nc');
    assert.equal(obs.truncated, false);
    assert.deepEqual(obs.images, []);
  });

  it('says "(no output)" when nothing was printed', () => {
    assert.equal(toObservation(result([]), { maxChars: 1000 }).text, '(no output)');
  });

  it('shows the value of the last expression as its text/plain', () => {
    const obs = toObservation(result([stdout('hi\n'), { kind: 'data', isResult: true, executionCount: 3, data: { 'text/plain': '42' }, metadata: {} }]), { maxChars: 1000 });
    assert.equal(obs.text, 'hi\n42');
  });

  it('strips ANSI colours from streams and tracebacks, and gives the error name and message', () => {
    assert.equal(stripAnsi('\u001b[0;31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007'), 'red link');
    const obs = toObservation(
      result(
        [
          stdout('\u001b[1mbold\u001b[0m\n'),
          {
            kind: 'error',
            ename: 'NameError',
            evalue: "name 'x' is not defined",
            traceback: ['\u001b[0;31m---------------------------------------------------------------------------\u001b[0m', 'Cell \u001b[0;32mIn [1], line 1\u001b[0m\n----> 1 x', "\u001b[0;31mNameError\u001b[0m: name 'x' is not defined"],
          },
        ],
        { status: 'error' },
      ),
      { maxChars: 1000 },
    );
    assert.ok(!obs.text.includes('\u001b'), obs.text);
    assert.equal(obs.text, "bold\nCell In [1], line 1\n----> 1 x\nNameError: name 'x' is not defined");
  });

  it('adds the error name and message when the traceback is empty', () => {
    const obs = toObservation(result([{ kind: 'error', ename: 'ValueError', evalue: 'bad', traceback: [] }], { status: 'error' }), { maxChars: 1000 });
    assert.equal(obs.text, 'ValueError: bad');
  });

  it('keeps images as attachments and describes them with their pixel size', () => {
    const png = pngBase64(640, 480);
    const obs = toObservation(
      result([stdout('plotting\n'), { kind: 'data', isResult: false, data: { 'image/png': `${png}\n`, 'text/plain': '<Figure size 640x480 with 1 Axes>' }, metadata: {} }]),
      { maxChars: 1000 },
    );
    assert.equal(obs.text, 'plotting\n[image/png 640x480]');
    assert.deepEqual(obs.images, [{ mime: 'image/png', base64: png, width: 640, height: 480 }]);
  });

  it('reads JPEG sizes from the frame header and falls back to metadata sizes', () => {
    assert.deepEqual(imageSizeFromBase64('image/jpeg', jpegBase64(300, 200)), { width: 300, height: 200 });
    assert.equal(imageSizeFromBase64('image/png', 'bm90IGFuIGltYWdl'), undefined);
    const obs = toObservation(result([{ kind: 'data', isResult: false, data: { 'image/png': 'bm90IGFuIGltYWdl' }, metadata: { 'image/png': { width: 10, height: 20 } } }]), { maxChars: 1000 });
    assert.equal(obs.text, '[image/png 10x20]');
  });

  it('says plainly that a plot was made and why it is not sent, to a model that does not take images', () => {
    const image: KernelOutput = { kind: 'data', isResult: false, data: { 'image/png': pngBase64(790, 390) }, metadata: {} };
    const obs = toObservation(result([image]), { maxChars: 1000, imagesNotSent: 'this model is not known to accept images' });
    assert.equal(obs.text, '[an image (image/png 790x390, a plot or picture the code showed) was made; it is not sent to you: this model is not known to accept images]');
    assert.equal(obs.images.length, 1, 'still there for the chat preview');
  });

  it('attaches at most maxImages images and only describes the rest', () => {
    const image: KernelOutput = { kind: 'data', isResult: false, data: { 'image/png': pngBase64(8, 8) }, metadata: {} };
    const obs = toObservation(result([image, image, image]), { maxChars: 1000, maxImages: 2 });
    assert.equal(obs.images.length, 2);
    assert.match(obs.text, /\[image\/png 8x8, not attached: more than 2 images\]$/);
  });

  it('describes an image too large for a model instead of attaching it', () => {
    const huge = pngBase64(9000, 6000);
    const heavy = pngBase64(2000, 2000) + 'A'.repeat(6 * 1024 * 1024);
    const observation = toObservation(
      result([
        { kind: 'data', isResult: false, data: { 'image/png': huge }, metadata: {} },
        { kind: 'data', isResult: false, data: { 'image/png': heavy }, metadata: {} },
        { kind: 'data', isResult: false, data: { 'image/png': pngBase64(640, 480) }, metadata: {} },
      ]),
      { maxChars: 2000 },
    );
    assert.equal(observation.images.length, 1, 'only the image of a sendable size is attached');
    assert.equal(observation.images[0]?.width, 640);
    assert.match(observation.text, /^\[image\/png 9000x6000, 0\.0 MB, not attached: too large to send to the model\]\n\[image\/png 2000x2000, 4\.5 MB, not attached: too large to send to the model\]\n\[image\/png 640x480\]$/);
  });

  it('replaces HTML with its text/plain sibling, or describes it when there is none', () => {
    const table = toObservation(result([{ kind: 'data', isResult: true, data: { 'text/html': '<table>…</table>', 'text/plain': '   a\n0  1' }, metadata: {} }]), { maxChars: 1000 });
    assert.equal(table.text, '   a\n0  1');
    const html = '<div>' + 'x'.repeat(1995) + '</div>';
    const only = toObservation(result([{ kind: 'data', isResult: false, data: { 'text/html': html }, metadata: {} }]), { maxChars: 1000 });
    assert.equal(only.text, '[text/html output, 2,006 chars]');
  });

  it('collapses progress bars redrawn with carriage returns to their final state', () => {
    assert.equal(collapseCarriageReturns('start\r\n 10%\r 50%\r100%\rdone\n'), 'start\ndone\n');
    assert.equal(collapseCarriageReturns('\r 10%\r100%\r'), '100%');
  });

  it('caps long output to maxChars, keeping head and tail and saying what was cut', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const obs = toObservation(result([stdout(lines)]), { maxChars: 2000 });
    assert.ok(obs.text.length <= 2000, `length ${obs.text.length}`);
    assert.equal(obs.truncated, true);
    assert.ok(obs.text.startsWith('line 0\nline 1\n'));
    assert.ok(obs.text.endsWith('line 4998\nline 4999'));
    const marker = /\.\.\. \[([\d,]+) characters \(([\d,]+) lines\) cut; the full output is in the notebook cell\] \.\.\./.exec(obs.text);
    assert.ok(marker, obs.text.slice(900, 1100));
    const cutChars = Number(marker[1]?.replace(/,/g, ''));
    assert.ok(cutChars > lines.length - 2000 && cutChars < lines.length, String(cutChars));
  });

  it('caps a single huge line too, and never exceeds the budget', () => {
    const capped = capText('x'.repeat(100_000), 500);
    assert.ok(capped.text.length <= 500);
    assert.match(capped.text, /^x+\n\.\.\. \[99,\d{3} characters cut;/);
    assert.equal(capText('short', 500).truncated, false);
  });

  it('never cuts an emoji in half, wherever the budget falls', () => {
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const text = '🚀'.repeat(5_000);
    for (let maxChars = 200; maxChars < 230; maxChars++) {
      const capped = capText(text, maxChars);
      assert.ok(capped.text.length <= maxChars);
      assert.doesNotMatch(capped.text, loneSurrogate, `capText at ${maxChars}`);
      const observation = toObservation(result([stdout('a' + text)], { status: 'timeout', durationMs: 1000 }), { maxChars });
      assert.doesNotMatch(observation.text, loneSurrogate, `toObservation at ${maxChars}`);
      assert.ok(observation.text.length <= maxChars);
    }
  });

  it('ends with a status line for timeouts, deaths, interrupts and cancels, kept even when cut', () => {
    const timeout = toObservation(result([stdout('x'.repeat(5000))], { status: 'timeout', durationMs: 120_030 }), { maxChars: 600 });
    assert.ok(timeout.text.length <= 600);
    assert.ok(timeout.text.endsWith('\nExecution timed out after 120 s; the kernel was interrupted.'), timeout.text);
    const short = toObservation(result([], { status: 'timeout', durationMs: 1530 }), { maxChars: 600 });
    assert.equal(short.text, '(no output)\nExecution timed out after 1.5 s; the kernel was interrupted.');
    const stuck = toObservation(result([], { status: 'timeout', durationMs: 2000, kernelRestarted: true }), { maxChars: 600 });
    assert.match(stuck.text, /kernel was restarted: all variables and imports are lost\.$/);
    assert.match(toObservation(result([], { status: 'died' }), { maxChars: 600 }).text, /^\(no output\)\nThe kernel died .* restarted/);
    assert.match(toObservation(result([], { status: 'cancelled' }), { maxChars: 600 }).text, /cancelled/);
    assert.match(toObservation(result([], { status: 'interrupted' }), { maxChars: 600 }).text, /interrupted/);
  });
});
