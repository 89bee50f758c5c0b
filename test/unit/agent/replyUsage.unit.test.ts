import * as assert from 'node:assert/strict';
import { addUsage, estimateRequestTokens, NO_USAGE, type ReplyUsage } from '../../../src/agent/replyUsage';

function usage(inputTokens: number, outputTokens: number, costUsd: number | undefined, estimated: boolean): ReplyUsage {
  return { inputTokens, outputTokens, costUsd, estimated };
}

describe('replyUsage', () => {
  it('adds usages up; the sum is estimated when any part is', () => {
    const reported = usage(100, 10, 0.5, false);
    const estimated = usage(40, 4, undefined, true);
    assert.deepEqual(addUsage(NO_USAGE, reported), reported);
    assert.deepEqual(addUsage(reported, estimated), usage(140, 14, 0.5, true));
    assert.deepEqual(addUsage(NO_USAGE, estimated), estimated, 'no cost stays no cost');
  });

  it('estimates a request from its messages (text, images, tool calls) and its tools', () => {
    const text = { messages: [{ role: 'user' as const, text: 'x'.repeat(400) }] };
    assert.equal(estimateRequestTokens(text), 104);
    const image = { mimeType: 'image/png', dataBase64: 'AAAA', description: 'a plot' };
    assert.equal(estimateRequestTokens({ messages: [{ role: 'tool', toolCallId: 'c', text: '', images: [image] }] }), 4 + 800);
    const call = { id: 'c', name: 'execute_python', argumentsJson: '{"code": "print(1)"}' };
    assert.equal(estimateRequestTokens({ messages: [{ role: 'assistant', text: '', toolCalls: [call] }] }), 4 + 4 + Math.ceil((call.name + call.argumentsJson).length / 4));
    const tool = { name: 'execute_python', description: 'Runs Python.', parameters: { type: 'object' } };
    assert.equal(estimateRequestTokens({ ...text, tools: [tool] }), 104 + Math.ceil(JSON.stringify(tool).length / 4));
  });
});
