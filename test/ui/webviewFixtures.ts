// Host-side data for driving the chat webview in tests and benchmarks: snapshots, entries, a
// representative model reply, deterministic chunking into stream deltas, and a small PNG plot.
import { deflateSync } from 'node:zlib';
import type { ActionEntry, ChatSnapshot, TranscriptEntry } from '../../src/shared/protocol';

export function snapshot(overrides: Partial<ChatSnapshot> = {}): ChatSnapshot {
  return {
    chatId: 'chat-1',
    title: 'Sales analysis',
    entries: [],
    busy: 'idle',
    header: { notebook: 'sales.ipynb', kernel: 'Python 3.12 (.venv)', model: 'gpt-4o-mini' },
    usage: { inputTokens: 0, outputTokens: 0, costUsd: undefined },
    allowAllInChat: false,
    pastChats: [],
    canRunCode: true,
    ...overrides,
  };
}

export function action(overrides: Partial<ActionEntry> & { id: string }): ActionEntry {
  const code = overrides.proposedCode ?? "import pandas as pd\ndf = pd.read_csv('sales.csv')\ndf.head()";
  return { kind: 'action', proposedCode: code, code, status: 'pending', risks: [], hasCell: false, ...overrides };
}

export function assistant(id: string, text: string, streaming = false): TranscriptEntry {
  return { kind: 'assistant', id, text, streaming };
}

/** A reply with the markdown a model writes: headings, lists (loose, nested, ordered), code, a table. */
export const SAMPLE_REPLY = `## Revenue by month

I loaded **sales.csv** (1,204 rows) and grouped it by \`month\`. A few things stand out:

1. Revenue peaks in *December*.

2. March dips by about 12%; see [the pandas docs](https://pandas.pydata.org/docs/) for \`resample\`.

3. Two rows have no date.

- Data quality
  - 2 rows without a date
  - 1 duplicated order id
- Next steps

\`\`\`python
import pandas as pd

# Monthly totals, newest last
monthly = (
    df.set_index("date")["revenue"]
      .resample("MS").sum()
)
print(f"{len(monthly)} months, max {monthly.max():.2f}")
\`\`\`

| Month | Revenue |
|-------|--------:|
| Jan   | 10,200  |
| Dec   | 18,950  |

> Tip: ask me to *plot* this.

~~~
plain text block
~~~

Setext heading
--------------

Done.`;

/** Markdown whose block boundaries are easy to get wrong while it streams in. */
export const TRICKY_REPLY = `Intro line
with a lazy continuation
1. one
2. two

   indented paragraph in item two

   \`\`\`python
   x = 1  # a fence inside a list item
   \`\`\`
10. ten

See [the guide][guide] and [docs][1].

[1]: https://example.com/docs "Docs"

Right before a fence:
\`\`\`py
def f():
    """doc
    string"""
    return 'a' if x else "b"
\`\`\`\`

* star
+ plus

    indented code block

    continues after a blank line

Hard  
break and <kbd>Ctrl</kbd>+<kbd>C</kbd>, <details><summary>More</summary>hidden</details>

***

| a | b |
|---|---|
| 1 | 2 |
row without pipes

- [ ] task
- [x] done

[guide]: https://example.com/guide

\`\`\`js
console.log("never closed")`;

/** Cuts `text` into chunks of 1 to `max` characters, the same every time for a seed. */
export function chunkDeterministically(text: string, seed = 1, max = 9): string[] {
  const chunks: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % max);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

/** About `count` model tokens (~4 characters each) of representative reply text, for benchmarks. */
export function sampleReplyTokens(count: number): string[] {
  const tokens: string[] = [];
  let round = 0;
  while (tokens.length < count) {
    const text = `${SAMPLE_REPLY.replace('## Revenue by month', `## Part ${++round}`)}\n\n`;
    for (let i = 0; i < text.length && tokens.length < count; i += 4) tokens.push(text.slice(i, i + 4));
  }
  return tokens;
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A 240×140 bar chart as a PNG data: URL, like a plot thumbnail from the kernel. */
export function barChartPng(values: readonly number[] = [4, 6, 5, 8, 7, 11, 9, 12]): string {
  const width = 240;
  const height = 140;
  const rows: Buffer[] = [];
  const max = Math.max(...values);
  const barWidth = Math.floor((width - 20) / values.length);
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 255);
    row[0] = 0;
    for (let x = 0; x < width; x++) {
      const index = Math.floor((x - 10) / barWidth);
      const inBar = x >= 10 && index < values.length && (x - 10) % barWidth < barWidth - 6;
      const barTop = height - 12 - Math.round(((values[index] ?? 0) / max) * (height - 30));
      const axis = y === height - 12 && x >= 6 && x < width - 6;
      const pixel = axis ? [80, 80, 80] : inBar && y >= barTop && y < height - 12 ? [31, 119, 180] : [255, 255, 255];
      row.set(pixel, 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
