import type { StoredChat } from '../../../src/chat/chatStore';

/** A chat with every kind of entry and every optional field, for round trips. */
export function sampleChat(id = 'chat-1', updatedAt = 1_700_000_000_000, title = 'Plot the data'): StoredChat {
  return {
    version: 1,
    id,
    title,
    createdAt: updatedAt - 1000,
    updatedAt,
    entries: [
      { kind: 'user', id: 'u1', text: 'Plot the data' },
      { kind: 'assistant', id: 'a1', text: 'Reading the CSV.', streaming: false },
      {
        kind: 'action',
        id: 'x1',
        proposedCode: 'import os\nos.remove("x")',
        code: 'print(1)',
        status: 'editedAndRan',
        risks: ['deletes files (os.remove)'],
        feedback: 'do not delete',
        durationMs: 12,
        preview: { text: '1', isError: false, images: ['data:image/png;base64,AAAA'], truncated: false },
        hasCell: true,
      },
      { kind: 'action', id: 'x2', proposedCode: 'x', code: 'x', status: 'pending', risks: [], hasCell: false },
      { kind: 'notice', id: 'n1', level: 'warning', text: 'Stopped.' },
      { kind: 'action', id: 'x3', proposedCode: '%%bash\nls', code: '%%bash\nls', language: 'bash', status: 'ran', risks: ['runs shell commands (%%bash)'], hasCell: true },
    ],
    conversation: {
      version: 1,
      entries: [
        { kind: 'request', text: 'Plot the data' },
        { kind: 'reply', text: 'Reading.', toolCalls: [], actionId: 'x1' },
        { kind: 'observation', text: '1', images: [], actionId: 'x1' },
      ],
    },
    usage: { inputTokens: 120, outputTokens: 30, costUsd: 0.0012 },
    allowAllInChat: true,
    notebookUri: 'file:///work/analysis.ipynb',
  };
}
