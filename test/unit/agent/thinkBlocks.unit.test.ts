import * as assert from 'node:assert/strict';
import { type ThinkBlockOptions, type ThinkingState, ThinkBlockFilter, thoughtOpensInPrompt, ThoughtSeparator } from '../../../src/agent/thinkBlocks';

/** Splits a whole reply at once: its text without think blocks, and how thinking ended. */
function removeThinkBlocks(text: string, options: ThinkBlockOptions = {}): { readonly text: string; readonly thinking: ThinkingState } {
  const filter = new ThinkBlockFilter(options);
  const visible = filter.push(text) + filter.finish();
  return { text: visible, thinking: filter.state };
}

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

/** Streams `chunks` through a filter for a model whose template opens the thought in the prompt. */
function filterInThought(chunks: readonly string[]): { text: string; thinking: string; openedInPrompt: boolean } {
  const blocks = new ThinkBlockFilter({ startsInThought: true });
  let text = '';
  for (const chunk of chunks) text += blocks.push(chunk);
  text += blocks.finish();
  return { text, thinking: blocks.state, openedInPrompt: blocks.thoughtOpenedInPrompt };
}

describe('ThinkBlockFilter for replies that start inside a thought (QwQ, DeepSeek-R1 templates)', () => {
  it('holds the thought back until </think>, even split across chunks, and passes what follows', () => {
    const blocks = new ThinkBlockFilter({ startsInThought: true });
    assert.equal(blocks.push('Okay, the user wants a listing. I could run ```python\nprint(1)\n```'), '');
    assert.equal(blocks.state, 'open');
    assert.equal(blocks.push(' but no.\n</th'), '');
    assert.equal(blocks.push('ink>\n\nHere'), 'Here');
    assert.equal(blocks.state, 'closed');
    assert.equal(blocks.thoughtOpenedInPrompt, true);
    assert.equal(blocks.push(' it is.'), ' it is.');
    assert.equal(blocks.finish(), '');
  });

  it('closes the implied thought at </thinking> too, whatever the case', () => {
    assert.deepEqual(filterInThought(['musing </THINKING>\nAnswer.']), { text: 'Answer.', thinking: 'closed', openedInPrompt: true });
  });

  it('releases all the held text, exactly as it came, when no closing tag ever comes: the model was not thinking', () => {
    const blocks = new ThinkBlockFilter({ startsInThought: true });
    const chunks = ['\n  Listing the', ' folder.\n```python\nprint(1)\n```\n', 'Done </thi'];
    for (const chunk of chunks) assert.equal(blocks.push(chunk), '', 'nothing is shown before the reply ends');
    assert.equal(blocks.finish(), chunks.join(''));
    assert.equal(blocks.state, 'none');
    assert.equal(blocks.thoughtOpenedInPrompt, false);
    assert.deepEqual(removeThinkBlocks('', { startsInThought: true }), { text: '', thinking: 'none' });
    assert.deepEqual(removeThinkBlocks(' \n', { startsInThought: true }), { text: ' \n', thinking: 'none' });
  });

  it('still takes an explicit <think> block at the start, and reports one that never closes as open', () => {
    assert.deepEqual(filterInThought(['\n<th', 'ink>a</think>\nB </think>']), { text: 'B </think>', thinking: 'closed', openedInPrompt: false });
    assert.deepEqual(filterInThought(['<think>I could run <execute>print(1)</execute>']), { text: '', thinking: 'open', openedInPrompt: false });
  });

  it('gives the same result however the text is chunked', () => {
    const samples = [
      "I could run ```python\nshutil.rmtree('data')\n``` but no.</think>\n\nHere:\n```python\nprint(2)\n```",
      'x</thinking></think>y',
      '<thinking>a</thinking> b',
      'no thought at all </thin',
      '< not a tag',
    ];
    for (const text of samples) {
      const whole = removeThinkBlocks(text, { startsInThought: true });
      for (let size = 1; size <= 6; size++) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        const { text: chunked, thinking } = filterInThought(chunks);
        assert.deepEqual({ text: chunked, thinking }, whole, `${JSON.stringify(text)} in chunks of ${size}`);
      }
    }
  });
});

describe('thoughtOpensInPrompt (models whose chat template writes <think> into the prompt)', () => {
  it('knows QwQ and DeepSeek-R1 with its distills, by any spelling of their names', () => {
    for (const id of ['qwq:32b', 'Qwen/QwQ-32B', 'deepseek-r1:14b', 'DeepSeek-R1-0528', 'deepseek_r1', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'r1-distill-llama-8b']) {
      assert.equal(thoughtOpensInPrompt(id), true, id);
    }
  });

  it("leaves other models alone, DeepSeek's own reasoning API included (it returns the reasoning apart)", () => {
    for (const id of ['deepseek-reasoner', 'deepseek-chat', 'qwen3:8b', 'gpt-4o-mini', 'llama3.1:8b']) {
      assert.equal(thoughtOpensInPrompt(id), false, id);
    }
  });
});

describe('ThoughtSeparator (learning from a stray </think> that the reply began in a thought)', () => {
  it('withdraws the text handed out before a stray </think> and starts over after it', () => {
    const separator = new ThoughtSeparator();
    assert.deepEqual(separator.push('The user wants 42. '), { text: 'The user wants 42. ', restarted: false });
    assert.deepEqual(separator.push('Easy.\n</th'), { text: 'Easy.\n</th', restarted: false });
    assert.deepEqual(separator.push('ink>\n\nIt is'), { text: 'It is', restarted: true });
    assert.deepEqual(separator.push(' 42.'), { text: ' 42.', restarted: false });
    assert.equal(separator.finish(), '');
    assert.equal(separator.state, 'closed');
    assert.equal(separator.thoughtOpenedInPrompt, true);
  });

  it('leaves a closing tag inside a line alone: code or a quote, not the end of a thought', () => {
    const separator = new ThoughtSeparator();
    assert.deepEqual(separator.push("df.raw.str.split('</think>')"), { text: "df.raw.str.split('</think>')", restarted: false });
    assert.deepEqual(separator.push('\n</think>\n'), { text: '\n</think>\n', restarted: false }, 'only the first tag decides');
    assert.equal(separator.thoughtOpenedInPrompt, false);
  });

  it('leaves a closing tag alone after an opening one: a think block, or the answer talking about the tags', () => {
    for (const text of ['<think>a</think>B</think>', 'Qwen writes <think>…</think> first.']) {
      const separator = new ThoughtSeparator();
      const step = separator.push(text);
      assert.equal(step.restarted, false, text);
      assert.equal(separator.thoughtOpenedInPrompt, false, text);
    }
  });

  it('does not watch for a stray tag when the reply is already known to start in a thought', () => {
    const separator = new ThoughtSeparator({ startsInThought: true });
    assert.deepEqual(separator.push('thought</think>Answer</think>'), { text: 'Answer</think>', restarted: false });
    assert.equal(separator.thoughtOpenedInPrompt, true);
  });
});
