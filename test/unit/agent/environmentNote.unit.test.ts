import * as assert from 'node:assert/strict';
import { NOTHING_TOLD, environmentNote, parseToldEnvironment, requestText, variablesChangedNote } from '../../../src/agent/environmentNote';
import { PROMPT_LIMITS } from '../../../src/agent/systemPrompt';

describe('The environment note sent with a user message', () => {
  it('describes the kernel, working directory and notebook', () => {
    const { text } = environmentNote(
      { kernelName: 'CodeAct Python (Python 3.11.2)', workingDirectory: { path: '/home/me/project', checked: true }, notebookName: 'analysis.ipynb' },
      NOTHING_TOLD,
    );
    assert.match(text, /Kernel: CodeAct Python \(Python 3\.11\.2\)/);
    assert.match(text, /Working directory: \/home\/me\/project\n/);
    assert.match(text, /Notebook: analysis\.ipynb/);
    assert.match(environmentNote({ workingDirectory: { path: '/p', checked: false } }, NOTHING_TOLD).text, /Working directory: probably \/p \(not checked/);
    assert.match(environmentNote({}, NOTHING_TOLD).text, /Kernel: not started yet/);
  });

  it('shows only the last cells, each truncated, with their outputs', () => {
    const cells = Array.from({ length: 12 }, (_, i) => ({
      kind: 'code' as const,
      source: `cell_${i} = ${i}\n${'#'.repeat(i === 11 ? 5_000 : 0)}`,
      outputText: i === 11 ? 'o'.repeat(5_000) : `out ${i}`,
      executionCount: i + 1,
    }));
    const { text } = environmentNote({ recentCells: cells }, NOTHING_TOLD);
    assert.doesNotMatch(text, /cell_3 = 3/);
    assert.match(text, /cell_4 = 4/);
    assert.match(text, /Code cell \[12\]/);
    assert.match(text, /out 10/);
    assert.ok(!text.includes('#'.repeat(PROMPT_LIMITS.cellSourceChars)));
    assert.ok(!text.includes('o'.repeat(PROMPT_LIMITS.cellOutputChars)));
    assert.match(text, /\[truncated\]/);
  });

  it('never shows a cell twice: the next message shows only cells that are new or changed', () => {
    const load = { kind: 'code' as const, source: "sales = pd.read_csv('sales.csv')", executionCount: 1 };
    const first = environmentNote({ recentCells: [load] }, NOTHING_TOLD);
    assert.match(first.text, /read_csv/);
    const plot = { kind: 'code' as const, source: 'sales.plot()', executionCount: 2, outputText: '<Axes>' };
    const second = environmentNote({ recentCells: [load, plot] }, first.told);
    assert.doesNotMatch(second.text, /read_csv/);
    assert.match(second.text, /sales\.plot\(\)/);
    assert.match(second.text, /1 more, shown before, are unchanged/);
    const rerun = environmentNote({ recentCells: [{ ...load, executionCount: 3 }, plot] }, second.told);
    assert.match(rerun.text, /Code cell \[3\]/, 'a cell run again is shown again');
    assert.doesNotMatch(environmentNote({ recentCells: [load, plot] }, second.told).text, /cells you have not seen/);
  });

  it('lists the variables, bounded, and later only those new, changed or gone', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `v${i}`, type: 'int', summary: String(i) }));
    const bounded = environmentNote({ variables: [{ name: 'df', type: 'DataFrame', summary: '1000 rows × 5 columns' }, ...many] }, NOTHING_TOLD);
    assert.match(bounded.text, /Variables in the kernel:\n- df: DataFrame — 1000 rows × 5 columns/);
    assert.match(bounded.text, /more variables than the 40 listed/);

    const first = environmentNote({ variables: [{ name: 'sales', type: 'DataFrame', summary: '100 rows' }, { name: 'n', type: 'int', summary: '3' }] }, NOTHING_TOLD);
    const next = environmentNote({ variables: [{ name: 'sales', type: 'DataFrame', summary: '100 rows' }, { name: 'total', type: 'float', summary: '9.5' }] }, first.told);
    assert.doesNotMatch(next.text, /sales/);
    assert.match(next.text, /Variables new or changed since you were last told:\n- total: float — 9\.5/);
    assert.match(next.text, /No longer defined: `n`/);
  });
});

describe('The variables line of an observation', () => {
  it('names what the action created or changed, and nothing when nothing changed or nothing could be listed', () => {
    const before = variablesChangedNote([{ name: 'sales', type: 'DataFrame', summary: '100 rows' }], NOTHING_TOLD);
    assert.match(before.text ?? '', /Variables this action created or changed:\n- sales: DataFrame — 100 rows/);
    assert.equal(variablesChangedNote([{ name: 'sales', type: 'DataFrame', summary: '100 rows' }], before.told).text, undefined);
    assert.equal(variablesChangedNote(undefined, before.told).text, undefined);
    assert.deepEqual(variablesChangedNote(undefined, before.told).told, before.told, 'an unlisted kernel forgets nothing told');
    assert.match(variablesChangedNote([], before.told).text ?? '', /No longer defined: `sales`/);
  });
});

describe('What was told, kept with the conversation', () => {
  it('reads back what it wrote, and refuses anything malformed', () => {
    const { told } = environmentNote({ variables: [{ name: 'x', type: 'int' }], recentCells: [{ kind: 'markdown', source: '# Title' }] }, NOTHING_TOLD);
    assert.deepEqual(parseToldEnvironment(JSON.parse(JSON.stringify(told))), told);
    assert.equal(parseToldEnvironment({ variables: { x: 1 }, cells: [] }), undefined);
    assert.equal(parseToldEnvironment({ variables: {}, cells: 'abc' }), undefined);
    assert.equal(parseToldEnvironment(null), undefined);
  });

  it("puts the note before the user's words in the message", () => {
    assert.equal(requestText('hi', undefined), 'hi');
    assert.match(requestText('plot it', 'Environment now'), /^Environment now\n\nThe user's message:\nplot it$/);
  });
});
