import * as assert from 'node:assert/strict';
import { removeThinkBlocks, ThinkBlockFilter } from '../../../src/agent/thinkBlocks';

/** Streams `chunks` through a filter; returns the reply text it let through and the final state. */
function filter(chunks: readonly string[]): { text: string; thinking: string } {
  const blocks = new ThinkBlockFilter();
  let text = '';
  for (const chunk of chunks) text += blocks.push(chunk);
  text += blocks.finish();
  return { text, thinking: blocks.state };
}

describe('ThinkBlockFilter (reasoning models think in the content)', () => {
  it('takes out a leading <think> block and the blank lines after it', () => {
    assert.deepEqual(removeThinkBlocks('<think>\nThe user wants a sum.\n</think>\n\nThe sum is 3.'), { text: 'The sum is 3.', thinking: 'closed' });
  });

  it('takes out <thinking> blocks too, whatever the case, and several blocks in a row', () => {
    assert.deepEqual(removeThinkBlocks('  <THINKING>a</Thinking>\n<think></think>\nAnswer.'), { text: 'Answer.', thinking: 'closed' });
  });

  it('does not close a <thinking> block at </think>', () => {
    assert.deepEqual(removeThinkBlocks('<thinking>the tag </think> is Qwen’s</thinking>Hi'), { text: 'Hi', thinking: 'closed' });
  });

  it('passes a reply without thinking through unchanged, leading whitespace included', () => {
    for (const text of ['  ```python\nx\n```', '\n', '', '<b>bold</b>', '<thinker>', 'a <think>b</think>']) {
      assert.deepEqual(removeThinkBlocks(text), { text, thinking: 'none' }, JSON.stringify(text));
    }
  });

  it('leaves a <think> tag later in the reply alone: the answer is talking about it', () => {
    const text = 'Qwen3 writes <think>…</think> first.\n<think>not a block</think>';
    assert.deepEqual(removeThinkBlocks(text), { text, thinking: 'none' });
  });

  it("reports a block that never closed, and lets none of it through", () => {
    assert.deepEqual(removeThinkBlocks("<think>\nI could run <execute>import os; os.listdir('/')"), { text: '', thinking: 'open' });
    assert.deepEqual(removeThinkBlocks('<think>a</think>\n<think>b </thi'), { text: '', thinking: 'open' });
  });

  it('says it is thinking while the block streams, and holds back a tag split across chunks', () => {
    const blocks = new ThinkBlockFilter();
    assert.equal(blocks.push('\n<thi'), '');
    assert.equal(blocks.state, 'none');
    assert.equal(blocks.push('nk>Let me see'), '');
    assert.equal(blocks.state, 'open');
    assert.equal(blocks.push('.</th'), '');
    assert.equal(blocks.push('ink>\n\n'), '');
    assert.equal(blocks.state, 'closed');
    assert.equal(blocks.push('Do'), 'Do');
    assert.equal(blocks.push('ne.'), 'ne.');
    assert.equal(blocks.finish(), '');
  });

  it('releases a held-back "<thi" at the end of the reply: it was text after all', () => {
    assert.deepEqual(filter(['<thi']), { text: '<thi', thinking: 'none' });
    assert.deepEqual(filter(['<thi', 's is bold']), { text: '<this is bold', thinking: 'none' });
  });

  it('gives the same result however the text is chunked', () => {
    const samples = [
      '<think>\nI could run <execute>print(1)</execute>.\n</think>\n\nHere:\n<execute>\nprint(2)\n</execute>',
      '<thinking>x</thinking><think>y</think> z',
      '<think>never closed </think',
      ' plain <think> text',
    ];
    for (const text of samples) {
      const whole = removeThinkBlocks(text);
      for (let size = 1; size <= 6; size++) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        assert.deepEqual(filter(chunks), whole, `${JSON.stringify(text)} in chunks of ${size}`);
      }
    }
  });
});
