import * as assert from 'node:assert/strict';
import { type ConversationState, EMPTY_REPLY_PLACEHOLDER, type HistoryEntry, emptyConversation, keepRecentImages, parseConversationState, toModelMessages } from '../../../src/agent/conversation';
import { NO_OUTPUT_OBSERVATION, observationText, rejectedObservation, turnEndMessage } from '../../../src/agent/agentMessages';

const sample: ConversationState = {
  version: 1,
  entries: [
    { kind: 'request', text: 'What is 2**10?' },
    { kind: 'reply', text: 'Computing.\n<execute>\nprint(2**10)\n</execute>', toolCalls: [], actionId: 'a1' },
    { kind: 'observation', text: 'Observation:\n1024', images: [{ mimeType: 'image/png', dataBase64: 'AAAA', description: 'plot' }], actionId: 'a1' },
    { kind: 'reply', text: '', toolCalls: [{ id: 'call_1', name: 'execute_python', argumentsJson: '{"code":"x"}' }], actionId: 'a2' },
    { kind: 'observation', text: 'done', images: [], actionId: 'a2', toolCallId: 'call_1', shortened: true },
    { kind: 'reply', text: 'It is 1024.', toolCalls: [] },
  ],
};

describe('conversation state', () => {
  it('maps entries to model messages after the system prompt', () => {
    const messages = toModelMessages('SYSTEM', sample.entries);
    assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant', 'tool', 'assistant']);
    assert.deepEqual(messages[0], { role: 'system', text: 'SYSTEM' });
    assert.deepEqual(messages[5], { role: 'tool', toolCallId: 'call_1', text: 'done', images: [] });
    assert.equal((messages[3] as { images: readonly unknown[] }).images.length, 1);
    assert.equal('toolCalls' in (messages[2] as object), false);
  });

  it('never sends an assistant message with neither text nor tool calls (strict servers refuse one)', () => {
    const thoughtOnly: HistoryEntry[] = [
      { kind: 'request', text: 'Think.' },
      { kind: 'reply', text: '', toolCalls: [] },
      { kind: 'observation', text: 'Your reply ended inside your <think> block.', images: [] },
    ];
    const messages = toModelMessages('SYSTEM', thoughtOnly);
    assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant', 'user'], 'roles still alternate');
    assert.equal(messages[2]?.text, EMPTY_REPLY_PLACEHOLDER);
    // A tool call needs no text.
    assert.equal(toModelMessages('S', sample.entries)[4]?.text, '');
  });

  it('survives JSON persistence and validation unchanged', () => {
    const restored = parseConversationState(JSON.parse(JSON.stringify(sample)));
    assert.deepEqual(restored, sample);
    assert.deepEqual(parseConversationState(emptyConversation()), emptyConversation());
  });

  it('rejects anything malformed, so a corrupt store starts a fresh chat', () => {
    const bad: unknown[] = [
      undefined,
      null,
      [],
      { version: 2, entries: [] },
      { version: 1 },
      { version: 1, entries: [{ kind: 'request' }] },
      { version: 1, entries: [{ kind: 'shout', text: 'x' }] },
      { version: 1, entries: [{ kind: 'reply', text: 'x' }] },
      { version: 1, entries: [{ kind: 'reply', text: 'x', toolCalls: [{ id: 1 }] }] },
      { version: 1, entries: [{ kind: 'observation', text: 'x', images: [{}] }] },
      { version: 1, entries: [{ kind: 'observation', text: 'x', images: [], toolCallId: 5 }] },
    ];
    for (const raw of bad) assert.equal(parseConversationState(raw), undefined, JSON.stringify(raw));
  });

  it('keeps only the most recent images, and every observation\'s text', () => {
    const plot = (n: number) => ({ mimeType: 'image/png', dataBase64: `P${n}`, description: `plot ${n}` });
    const entries: HistoryEntry[] = [
      { kind: 'request', text: 'plot things' },
      { kind: 'observation', text: 'first [image/png]', images: [plot(1), plot(2)], actionId: 'a1' },
      { kind: 'reply', text: 'more', toolCalls: [] },
      { kind: 'observation', text: 'second [image/png]', images: [plot(3)], actionId: 'a2' },
      { kind: 'observation', text: 'third [image/png]', images: [plot(4), plot(5)], actionId: 'a3' },
    ];
    const kept = keepRecentImages(entries, 4);
    const images = kept.flatMap((e) => (e.kind === 'observation' ? e.images.map((i) => i.dataBase64) : []));
    assert.deepEqual(images, ['P2', 'P3', 'P4', 'P5']);
    assert.deepEqual(kept.map((e) => e.text), entries.map((e) => e.text), 'no text is lost');
    assert.deepEqual(keepRecentImages(entries, 0).flatMap((e) => (e.kind === 'observation' ? e.images : [])), []);
    assert.equal(keepRecentImages(entries, 10)[1], entries[1], 'untouched entries are the same objects');
  });

  it('drops unknown fields when restoring', () => {
    const restored = parseConversationState({ version: 1, entries: [{ kind: 'request', text: 'hi', extra: 1 }] });
    assert.deepEqual(restored, { version: 1, entries: [{ kind: 'request', text: 'hi' }] });
  });
});

describe('agent messages', () => {
  const ok = { text: '42', images: [], status: 'ok' as const };

  it('prefixes observations with "Observation:" in the text formats, not as tool results', () => {
    assert.equal(observationText(ok, { edited: false, stoppedByUser: false }, false), 'Observation:\n42');
    assert.equal(observationText(ok, { edited: false, stoppedByUser: false }, true), '42');
  });

  it('says when there was no output', () => {
    assert.equal(observationText({ ...ok, text: '  ' }, { edited: false, stoppedByUser: false }, true), NO_OUTPUT_OBSERVATION);
  });

  it('notes an edit, a stop, and a block that was not run', () => {
    const text = observationText(ok, { edited: true, stoppedByUser: true, skippedLanguage: 'bash' }, false);
    assert.match(text, /^Observation:\n\[The user edited your code before it ran; the code above is what ran\.\]/);
    assert.match(text, /```bash block was not run/);
    assert.match(text, /\[The user stopped this code while it was running\.\]$/);
  });

  it('passes rejection feedback on', () => {
    assert.equal(rejectedObservation('  use polars  '), 'The user rejected this action, so it did not run. Their feedback:\nuse polars');
    assert.equal(rejectedObservation(''), 'The user rejected this action, so it did not run.');
  });

  it('tells the user which limit ended the turn and how to go on', () => {
    const limits = { maxActionsPerTask: 20, maxConsecutiveFailures: 3 };
    assert.match(turnEndMessage('maxActions', limits, 20) ?? '', /after 20 actions.*Say 'continue'.*codeact\.maxActionsPerTask/);
    assert.match(turnEndMessage('consecutiveFailures', limits, 3) ?? '', /3 failed attempts in a row.*Say 'continue'/);
    assert.match(turnEndMessage('repeatedAction', limits, 2) ?? '', /same code.*Say 'continue'/);
    assert.equal(turnEndMessage('answered', limits, 1), undefined);
  });
});
