import * as assert from 'node:assert/strict';
import type { ModelMessage } from '../../../src/llm/chatModel';
import { toOpenAIMessages, toOpenAITools } from '../../../src/llm/openaiMessages';
import { EXECUTE_TOOL } from '../../../src/agent/executeTool';

const image = { mimeType: 'image/png', dataBase64: 'iVBORw0KGgo=', description: 'line plot 640x480' };

describe('toOpenAIMessages', () => {
  it('maps roles and text', () => {
    const messages: ModelMessage[] = [
      { role: 'system', text: 'S' },
      { role: 'user', text: 'U' },
      { role: 'assistant', text: 'A' },
    ];
    assert.deepEqual(toOpenAIMessages(messages, false), [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
      { role: 'assistant', content: 'A' },
    ]);
  });

  it('sends images as data-URL parts to models that accept them', () => {
    const [message] = toOpenAIMessages([{ role: 'user', text: 'Observation:\n[image/png]', images: [image] }], true);
    assert.deepEqual(message, {
      role: 'user',
      content: [
        { type: 'text', text: 'Observation:\n[image/png]' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    });
  });

  it('otherwise sends the image descriptions as text', () => {
    const [message] = toOpenAIMessages([{ role: 'user', text: 'Observation:', images: [image] }], false);
    assert.deepEqual(message, { role: 'user', content: 'Observation:\n[image (image/png): line plot 640x480]' });
  });

  it('maps tool calls and tool results, with null content for a bare call', () => {
    const messages: ModelMessage[] = [
      { role: 'assistant', text: '', toolCalls: [{ id: 'c1', name: 'execute_python', argumentsJson: '{"code":"1"}' }] },
      { role: 'tool', toolCallId: 'c1', text: '1' },
    ];
    assert.deepEqual(toOpenAIMessages(messages, false), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'execute_python', arguments: '{"code":"1"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '1' },
    ]);
  });

  it('moves tool-result images into a user message after the run of tool messages', () => {
    const messages: ModelMessage[] = [
      { role: 'assistant', text: '', toolCalls: [{ id: 'c1', name: 'execute_python', argumentsJson: '{}' }, { id: 'c2', name: 'execute_python', argumentsJson: '{}' }] },
      { role: 'tool', toolCallId: 'c1', text: 'plot', images: [image] },
      { role: 'tool', toolCallId: 'c2', text: 'not run' },
      { role: 'assistant', text: 'Done.' },
    ];
    const result = toOpenAIMessages(messages, true);
    assert.deepEqual(result.map((m) => m.role), ['assistant', 'tool', 'tool', 'user', 'assistant']);
    const user = result[3] as { content: { type: string }[] };
    assert.deepEqual(user.content.map((p) => p.type), ['text', 'image_url']);
  });

  it('maps the execute tool', () => {
    assert.deepEqual(toOpenAITools([EXECUTE_TOOL]), [
      { type: 'function', function: { name: 'execute_python', description: EXECUTE_TOOL.description, parameters: EXECUTE_TOOL.parameters } },
    ]);
  });
});
