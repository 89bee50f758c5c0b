import * as assert from 'node:assert/strict';
import { buildSystemPrompt, PROMPT_LIMITS, renderTemplate } from '../../../src/agent/systemPrompt';

describe('buildSystemPrompt', () => {
  it('asks for <execute> blocks in the tags and auto formats', () => {
    for (const format of ['tags', 'auto'] as const) {
      const prompt = buildSystemPrompt({ actionFormat: format });
      assert.match(prompt, /<execute>\nimport pandas as pd/);
      assert.match(prompt, /<\/execute>/);
    }
  });

  it('asks for fenced Python blocks in the markdown format, and for the tool in the tools format', () => {
    assert.match(buildSystemPrompt({ actionFormat: 'markdown' }), /```python\nimport pandas/);
    const tools = buildSystemPrompt({ actionFormat: 'tools' });
    assert.match(tools, /execute_python/);
    assert.doesNotMatch(tools, /<execute>/);
  });

  it('explains observations, self-correction and how to finish', () => {
    const prompt = buildSystemPrompt({ actionFormat: 'auto' });
    assert.match(prompt, /observation/);
    assert.match(prompt, /traceback/);
    assert.match(prompt, /## How to finish/);
    assert.match(prompt, /reply without an action/);
  });

  it('leaves no placeholder unfilled and no run of blank lines', () => {
    const prompt = buildSystemPrompt({ actionFormat: 'auto', userInstructions: 'Be brief.' });
    assert.doesNotMatch(prompt, /\{\{\w+\}\}/);
    assert.doesNotMatch(prompt, /\n\n\n/);
  });

  it('describes the environment: kernel, working directory, notebook', () => {
    const prompt = buildSystemPrompt({
      actionFormat: 'auto',
      kernelName: 'CodeAct Python (Python 3.11.2)',
      workingDirectory: { path: '/home/me/project', checked: true },
      notebookName: 'analysis.ipynb',
    });
    assert.match(prompt, /Kernel: CodeAct Python \(Python 3\.11\.2\)/);
    assert.match(prompt, /Working directory: \/home\/me\/project\n/);
    const unchecked = buildSystemPrompt({ actionFormat: 'auto', workingDirectory: { path: '/home/me/project', checked: false } });
    assert.match(unchecked, /Working directory: probably \/home\/me\/project \(not checked/);
    assert.match(prompt, /Notebook: analysis\.ipynb/);
    assert.match(buildSystemPrompt({ actionFormat: 'auto' }), /Kernel: not started yet/);
  });

  it('includes only the last cells, each truncated, with their outputs', () => {
    const cells = Array.from({ length: 12 }, (_, i) => ({
      kind: 'code' as const,
      source: `cell_${i} = ${i}\n${'#'.repeat(i === 11 ? 5_000 : 0)}`,
      outputText: i === 11 ? 'o'.repeat(5_000) : `out ${i}`,
      executionCount: i + 1,
    }));
    const prompt = buildSystemPrompt({ actionFormat: 'auto', recentCells: cells });
    assert.doesNotMatch(prompt, /cell_3 = 3/);
    assert.match(prompt, /cell_4 = 4/);
    assert.match(prompt, /4 earlier cells not shown/);
    assert.match(prompt, /Code cell \[12\]/);
    assert.match(prompt, /out 10/);
    assert.ok(!prompt.includes('#'.repeat(PROMPT_LIMITS.cellSourceChars)));
    assert.ok(!prompt.includes('o'.repeat(PROMPT_LIMITS.cellOutputChars)));
    assert.match(prompt, /\[truncated\]/);
  });

  it('lists kernel variables, bounded', () => {
    const variables = Array.from({ length: 50 }, (_, i) => ({ name: `v${i}`, type: 'int', summary: String(i) }));
    const prompt = buildSystemPrompt({ actionFormat: 'auto', variables: [{ name: 'df', type: 'DataFrame', summary: '1000 rows × 5 columns' }, ...variables] });
    assert.match(prompt, /- df: DataFrame — 1000 rows × 5 columns/);
    assert.match(prompt, /… and 11 more/);
  });

  it('adds the user and workspace instructions under their own headings', () => {
    const prompt = buildSystemPrompt({ actionFormat: 'auto', userInstructions: 'Answer in French.', workspaceInstructions: 'Data lives in ./data.' });
    assert.match(prompt, /## Instructions from the user\n\nAnswer in French\./);
    assert.match(prompt, /## Instructions for this workspace \(\.codeact\/instructions\.md\)\n\nData lives in \.\/data\./);
    assert.doesNotMatch(buildSystemPrompt({ actionFormat: 'auto', userInstructions: '   ' }), /Instructions from the user/);
  });

  it('says whether the model sees plot images', () => {
    assert.match(buildSystemPrompt({ actionFormat: 'auto', modelSeesImages: true }), /You also see them/);
    assert.match(buildSystemPrompt({ actionFormat: 'auto', modelSeesImages: false }), /only see a short description/);
  });

  it('renderTemplate refuses a placeholder without a value', () => {
    assert.equal(renderTemplate('a {{x}} b', { x: '1' }), 'a 1 b');
    assert.throws(() => renderTemplate('{{missing}}', {}), /no value for \{\{missing\}\}/);
  });
});
