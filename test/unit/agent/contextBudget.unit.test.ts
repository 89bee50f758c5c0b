import * as assert from 'node:assert/strict';
import {
  DEFAULT_CONTEXT_WINDOW,
  defaultContextWindow,
  describeShortening,
  estimateEntryTokens,
  estimateTokens,
  fitToContextWindow,
  headAndTail,
  IMAGE_TOKENS,
  OLDER_OBSERVATION_KEEP_CHARS,
  reserveFor,
  resolveContextWindow,
} from '../../../src/agent/contextBudget';
import type { HistoryEntry, ObservationEntry } from '../../../src/agent/conversation';

const image = { mimeType: 'image/png', dataBase64: 'iVBORw0KGgo=', description: 'a plot' };

function request(text: string): HistoryEntry {
  return { kind: 'request', text };
}
function reply(text: string): HistoryEntry {
  return { kind: 'reply', text, toolCalls: [] };
}
function observation(text: string, actionId: string, images = 0): HistoryEntry {
  return { kind: 'observation', text, images: Array.from({ length: images }, () => image), actionId };
}

/** A conversation of `n` actions, each observation `chars` long. */
function conversation(n: number, chars: number, images = 0): HistoryEntry[] {
  const entries: HistoryEntry[] = [request('Analyse the data, please. '.repeat(10))];
  for (let i = 0; i < n; i++) {
    entries.push(reply(`<execute>\nstep_${i}()\n</execute>`));
    entries.push(observation(`${i}:`.padEnd(chars, 'x'), `a${i}`, images));
  }
  return entries;
}

function totalTokens(system: string, entries: readonly HistoryEntry[]): number {
  return 4 + estimateTokens(system) + entries.reduce((sum, e) => sum + estimateEntryTokens(e), 0);
}

describe('context windows by model name', () => {
  const cases: [string, number][] = [
    ['gpt-4o', 128_000],
    ['gpt-4o-mini', 128_000],
    ['gpt-4o-2024-08-06', 128_000],
    ['openai/gpt-4o-mini', 128_000],
    ['gpt-4', 8_192],
    ['gpt-4-turbo', 128_000],
    ['gpt-4.1-mini', 1_047_576],
    ['gpt-3.5-turbo-0125', 16_385],
    ['o3-mini', 200_000],
    ['claude-3-5-sonnet-20241022', 200_000],
    ['llama3.1:8b', 128_000],
    ['llama3:8b', 8_192],
    ['qwen2.5-coder:7b', 32_768],
    ['some-local-model', DEFAULT_CONTEXT_WINDOW],
    ['', DEFAULT_CONTEXT_WINDOW],
  ];
  for (const [model, window] of cases) {
    it(`${model || '(empty)'} → ${window}`, () => assert.equal(defaultContextWindow(model), window));
  }

  it('a non-zero setting wins over the name', () => {
    assert.equal(resolveContextWindow('gpt-4o', 8_000), 8_000);
    assert.equal(resolveContextWindow('gpt-4o', 0), 128_000);
  });

  it('reserves a quarter of the window for the reply, between 1k and 16k', () => {
    assert.equal(reserveFor(2_000), 1_024);
    assert.equal(reserveFor(32_000), 8_000);
    assert.equal(reserveFor(128_000), 16_384);
  });
});

describe('token estimate', () => {
  it('is about four characters per token', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
  });

  it('counts images and tool calls', () => {
    const withImage = estimateEntryTokens(observation('', 'a', 2));
    assert.equal(withImage, 4 + 2 * IMAGE_TOKENS);
    const toolReply: HistoryEntry = { kind: 'reply', text: '', toolCalls: [{ id: 'c', name: 'execute_python', argumentsJson: '{"code":"x"}' }] };
    assert.ok(estimateEntryTokens(toolReply) > 8);
  });
});

describe('fitToContextWindow', () => {
  const system = 'You are CodeAct.';

  it('leaves a conversation that fits untouched', () => {
    const entries = conversation(3, 400);
    const result = fitToContextWindow(system, entries, { windowTokens: 32_000 });
    assert.deepEqual(result.entries, entries);
    assert.deepEqual(result.shortened, []);
    assert.equal(result.fits, true);
    assert.equal(result.estimatedTokens, totalTokens(system, entries));
  });

  it('shortens the oldest observations first, and only as many as needed', () => {
    const entries = conversation(6, 8_000);
    const before = totalTokens(system, entries);
    // Room for everything but about two observations' worth.
    const result = fitToContextWindow(system, entries, { windowTokens: before - 3_000, reserveTokens: 0 });
    assert.equal(result.fits, true);
    assert.deepEqual(result.shortened.map((s) => s.actionId), ['a0', 'a1']);
    for (const s of result.shortened) {
      assert.equal(s.charsBefore, 8_000);
      assert.ok(s.charsAfter < OLDER_OBSERVATION_KEEP_CHARS + 100, `kept ${s.charsAfter}`);
    }
    assert.equal((result.entries[2] as ObservationEntry).shortened, true);
    assert.equal((result.entries[6] as ObservationEntry).text, entries[6] && (entries[6] as ObservationEntry).text);
    assert.ok(result.estimatedTokens <= result.budgetTokens);
  });

  it('with shortenTo, makes room below the budget from older outputs (so the next requests add to an unchanged history), never from the newest', () => {
    const entries = conversation(6, 8_000);
    const before = totalTokens(system, entries);
    const options = { windowTokens: before - 3_000, reserveTokens: 0 };
    const result = fitToContextWindow(system, entries, { ...options, shortenTo: 0.6 });
    assert.ok(result.estimatedTokens <= result.budgetTokens * 0.6, `${result.estimatedTokens} of ${result.budgetTokens}`);
    assert.ok(result.shortened.length > fitToContextWindow(system, entries, options).shortened.length, 'more is shortened than just enough');
    assert.ok(!result.shortened.some((s) => s.actionId === 'a5'), 'the newest output is whole');
    // The history then grows by another observation and still fits as it is: nothing is rewritten.
    const grown = [...result.entries, ...conversation(1, 8_000).map((entry) => (entry.kind === 'observation' ? { ...entry, actionId: 'a6' } : entry))];
    const next = fitToContextWindow(system, grown, { ...options, shortenTo: 0.6 });
    assert.deepEqual(next.shortened, []);
    assert.deepEqual(fitToContextWindow(system, entries, { windowTokens: 1_000_000, shortenTo: 0.6 }).shortened, [], 'a conversation that fits is left alone');
  });

  it('never touches the user messages or the model replies', () => {
    const entries = conversation(5, 6_000);
    const result = fitToContextWindow(system, entries, { windowTokens: 1_000, reserveTokens: 0 });
    for (const [index, entry] of entries.entries()) {
      if (entry.kind !== 'observation') assert.deepEqual(result.entries[index], entry);
    }
    assert.equal(result.entries.length, entries.length);
  });

  it('keeps the head and the tail of a shortened output (errors are at the end)', () => {
    const text = `START${'m'.repeat(10_000)}NameError: name 'x' is not defined`;
    const entries = [request('go'), reply('a'), observation(text, 'a0'), reply('b'), observation('latest', 'a1')];
    const result = fitToContextWindow(system, entries, { windowTokens: 1_000, reserveTokens: 0 });
    const shortened = (result.entries[2] as ObservationEntry).text;
    assert.ok(shortened.startsWith('START'));
    assert.ok(shortened.endsWith("NameError: name 'x' is not defined"));
    assert.match(shortened, /characters cut to fit the model's context window/);
  });

  it("drops older observations' images before their text matters", () => {
    const entries = conversation(3, 100, 2);
    const before = totalTokens(system, entries);
    const result = fitToContextWindow(system, entries, { windowTokens: before - IMAGE_TOKENS, reserveTokens: 0 });
    assert.equal(result.fits, true);
    assert.deepEqual(result.shortened, [{ entryIndex: 2, actionId: 'a0', charsBefore: 100, charsAfter: 100, imagesDropped: 2 }]);
  });

  it('does not count images when they are not sent to the model', () => {
    const entries = conversation(3, 100, 2);
    const result = fitToContextWindow(system, entries, { windowTokens: 2_000, reserveTokens: 0, imageTokens: 0 });
    assert.deepEqual(result.shortened, []);
  });

  it('reduces older outputs to a stub when shortening them is not enough', () => {
    const entries = conversation(4, 20_000);
    const latestTokens = estimateEntryTokens(entries[entries.length - 1]);
    const result = fitToContextWindow(system, entries, { windowTokens: latestTokens + 300, reserveTokens: 0 });
    const older = result.entries.filter((e, i) => e.kind === 'observation' && i < entries.length - 1) as ObservationEntry[];
    for (const entry of older) assert.match(entry.text, /removed to fit the model's context window/);
    assert.equal(result.entries[entries.length - 1], entries[entries.length - 1]);
  });

  it('cuts the latest output only as a last resort, and says when nothing more helps', () => {
    const entries = [request('x'.repeat(4_000)), reply('a'), observation('y'.repeat(40_000), 'a0')];
    const result = fitToContextWindow(system, entries, { windowTokens: 1_500, reserveTokens: 0 });
    assert.equal(result.shortened.length, 1);
    assert.equal(result.shortened[0]?.actionId, 'a0');
    assert.equal(result.fits, true);

    const hopeless = fitToContextWindow(system, entries, { windowTokens: 500, reserveTokens: 0 });
    assert.equal(hopeless.fits, false);
    assert.equal((hopeless.entries[0] as { text: string }).text.length, 4_000);
  });

  it('reports each shortened observation once, with its original size', () => {
    const entries = conversation(4, 20_000);
    const result = fitToContextWindow(system, entries, { windowTokens: 2_000, reserveTokens: 0 });
    const indexes = result.shortened.map((s) => s.entryIndex);
    assert.deepEqual(indexes, [...new Set(indexes)].sort((a, b) => a - b));
    for (const s of result.shortened) assert.equal(s.charsBefore, 20_000);
  });

  it('is stable: fitting an already fitted conversation changes nothing', () => {
    const entries = conversation(6, 8_000);
    const options = { windowTokens: 8_000, reserveTokens: 0 };
    const first = fitToContextWindow(system, entries, options);
    const second = fitToContextWindow(system, first.entries, options);
    assert.deepEqual(second.entries, first.entries);
    assert.deepEqual(second.shortened, []);
  });

  it('does not mutate its input', () => {
    const entries = conversation(4, 20_000);
    const copy = JSON.parse(JSON.stringify(entries)) as HistoryEntry[];
    fitToContextWindow(system, entries, { windowTokens: 1_000, reserveTokens: 0 });
    assert.deepEqual(entries, copy);
  });
});

describe('headAndTail and describeShortening', () => {
  it('returns short text unchanged', () => {
    assert.equal(headAndTail('short', 100), 'short');
  });

  it('says how much was cut', () => {
    assert.match(headAndTail('a'.repeat(1_000), 100), /\[… 900 characters cut/);
  });

  it('tells the user what was shortened and that the notebook has it all', () => {
    const text = describeShortening([{ entryIndex: 2, actionId: 'a', charsBefore: 100, charsAfter: 10, imagesDropped: 1 }], 32_000);
    assert.equal(text, "Shortened 1 output (and 1 image) so the conversation fits the model's context window (32,000 tokens). The full outputs are still in the notebook.");
  });
});
