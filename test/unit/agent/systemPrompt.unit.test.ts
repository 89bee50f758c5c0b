import * as assert from 'node:assert/strict';
import { buildSystemPrompt, renderTemplate } from '../../../src/agent/systemPrompt';

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

  it('holds nothing of the kernel or notebook, so it stays the same all chat long (a cacheable prefix)', () => {
    const prompt = buildSystemPrompt({ actionFormat: 'auto' });
    assert.doesNotMatch(prompt, /Kernel:|Working directory:|Variables in the kernel/);
    assert.match(prompt, /Each user message starts with the environment/);
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
