/**
 * Replies written in the styles of real models (the paper's CodeAct, OpenHands, smolagents,
 * chat models copying from web UIs), each read whole and streamed one character at a time
 * through the real streaming path (collectReply), in the `auto` format.
 */
import * as assert from 'node:assert/strict';
import { type ParsedReply, parseReply } from '../../../src/agent/actionParser';
import { collectReply } from '../../../src/agent/replyCollector';
import type { ActionFormat } from '../../../src/agent/replyScanner';
import type { ChatDelta, ChatModel, ChatRequest, ModelToolCall } from '../../../src/llm/chatModel';

type Expected =
  | { readonly kind: 'action'; readonly code: string; readonly language?: 'python' | 'bash'; readonly prose?: string; readonly skippedLanguage?: string }
  | { readonly kind: 'answer' }
  | { readonly kind: 'malformed'; readonly problem: string; readonly observation?: RegExp };

interface Case {
  readonly name: string;
  readonly text: string;
  readonly expected: Expected;
}

const CASES: readonly Case[] = [
  {
    name: 'the paper: long prose, then <execute>',
    text:
      "To answer this I first need to see what the CSV looks like. I'll load it with pandas and look at the first rows,\n" +
      'the column types and how many rows there are; after that I can work out the monthly totals.\n\n' +
      "1. Load the file\n2. Inspect it\n\n<execute>\nimport pandas as pd\ndf = pd.read_csv('sales.csv')\nprint(df.head())\nprint(df.dtypes)\n</execute>",
    expected: { kind: 'action', code: "import pandas as pd\ndf = pd.read_csv('sales.csv')\nprint(df.head())\nprint(df.dtypes)" },
  },
  {
    name: '<execute> inline on one line, with prose around it',
    text: "Sure, I'll check the shape first: <execute>print(df.shape)</execute> and then we can go on.",
    expected: { kind: 'action', code: 'print(df.shape)', prose: "Sure, I'll check the shape first:" },
  },
  {
    name: 'OpenHands: <execute_ipython>',
    text:
      "I'll start by creating the helper module and checking that it imports.\n" +
      "<execute_ipython>\ncreate_file('helpers.py')\nimport importlib, helpers\nprint(helpers.__name__)\n</execute_ipython>",
    expected: { kind: 'action', code: "create_file('helpers.py')\nimport importlib, helpers\nprint(helpers.__name__)", language: 'python' },
  },
  {
    name: 'OpenHands: <execute_bash> runs as a shell cell',
    text: 'Let me look at what is in the working directory before I change anything.\n<execute_bash>\nls -la\ngit status --short\n</execute_bash>',
    expected: { kind: 'action', code: '%%bash\nls -la\ngit status --short', language: 'bash' },
  },
  {
    name: 'OpenHands: <execute_bash> with a ```bash fence inside',
    text: 'Checking the installed version:\n<execute_bash>\n```bash\npip list 2>/dev/null | grep -i pandas\n```\n</execute_bash>',
    expected: { kind: 'action', code: '%%bash\npip list 2>/dev/null | grep -i pandas', language: 'bash' },
  },
  {
    name: 'a ```python fence after prose with a data fence before it',
    text:
      'The file starts like this:\n```csv\nmonth,revenue\n2024-01,100\n```\n' +
      "So the revenue column is numeric. Let me sum it per month.\n```python\nimport pandas as pd\nprint(pd.read_csv('sales.csv').groupby('month').revenue.sum())\n```",
    expected: { kind: 'action', code: "import pandas as pd\nprint(pd.read_csv('sales.csv').groupby('month').revenue.sum())" },
  },
  { name: 'a ```py fence', text: 'Computing it now.\n```py\nprint(sum(range(10)))\n```', expected: { kind: 'action', code: 'print(sum(range(10)))' } },
  { name: 'a ```python3 fence', text: 'Let me check the version.\n```python3\nimport sys; print(sys.version)\n```', expected: { kind: 'action', code: 'import sys; print(sys.version)' } },
  { name: 'an ```ipython fence with a magic', text: "I'll time it.\n```ipython\n%timeit sum(range(1000))\n```", expected: { kind: 'action', code: '%timeit sum(range(1000))' } },
  {
    name: '"pythonCopy code" before the tag, as copied from a web UI',
    text: 'Here is the first step.\npythonCopy code\n<execute>\nimport math\nprint(math.pi)\n</execute>',
    expected: { kind: 'action', code: 'import math\nprint(math.pi)', prose: 'Here is the first step.' },
  },
  {
    name: '"pythonCopy code" as the first line of an unlabelled fence',
    text: 'Let me compute it.\n```\npythonCopy code\nimport math\nprint(math.sqrt(2))\n```',
    expected: { kind: 'action', code: 'import math\nprint(math.sqrt(2))' },
  },
  {
    name: '"pythonCopy code" as the fence info string',
    text: "I'll run this:\n```pythonCopy code\nprint('copied')\n```",
    expected: { kind: 'action', code: "print('copied')" },
  },
  {
    name: 'smolagents: Thought, Code, ```py … ```<end_code>',
    text: 'Thought: I need the mean of the list, I will compute it with the statistics module.\nCode:\n```py\nimport statistics\nmean = statistics.mean([3, 5, 10])\nprint(mean)\n```<end_code>',
    expected: { kind: 'action', code: 'import statistics\nmean = statistics.mean([3, 5, 10])\nprint(mean)' },
  },
  {
    name: 'smolagents: <end_code> on its own line after the fence',
    text: 'Thought: Now I will print the answer.\nCode:\n```py\nprint(2 ** 10)\n```\n<end_code>\n',
    expected: { kind: 'action', code: 'print(2 ** 10)' },
  },
  {
    name: 'smolagents: <code> … </code>',
    text: 'Thought: I will count the words in the text with a split.\n<code>\nwords = text.split()\nprint(len(words))\n</code>',
    expected: { kind: 'action', code: 'words = text.split()\nprint(len(words))' },
  },
  {
    name: 'inline <code> in prose is HTML, not an action',
    text: 'You can preview the table with <code>df.head()</code> and count rows with <code>len(df)</code>.',
    expected: { kind: 'answer' },
  },
  {
    name: 'an <execute> tag inside an unlabelled fence',
    text: 'Running it:\n```\n<execute>\nprint(1 + 1)\n</execute>\n```',
    expected: { kind: 'action', code: 'print(1 + 1)' },
  },
  {
    name: 'an <execute> tag inside a ```python fence',
    text: 'Let me check:\n```python\n<execute>\nprint(6 * 7)\n</execute>\n```',
    expected: { kind: 'action', code: 'print(6 * 7)' },
  },
  {
    name: 'a ```python fence inside <execute>',
    text: 'Loading it.\n<execute>\n```python\nx = [1, 2, 3]\nprint(x)\n```\n</execute>',
    expected: { kind: 'action', code: 'x = [1, 2, 3]\nprint(x)' },
  },
  {
    name: 'several blocks: a bash block for the user, then the Python to run',
    text: 'If you ever need it, install with:\n```bash\npip install seaborn\n```\nFor now let me plot with matplotlib.\n```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n```\n```python\nplt.show()\n```',
    expected: { kind: 'action', code: 'import matplotlib.pyplot as plt\nplt.plot([1, 2])', skippedLanguage: 'bash' },
  },
  {
    name: 'a fenced action followed by made-up output',
    text: "Let me count the rows.\n```python\nprint(len(df))\n```\nOutput:\n```\n1000\n```\nThe table has 1000 rows.",
    expected: { kind: 'action', code: 'print(len(df))' },
  },
  {
    name: 'OpenHands: <execute_browse> is told which forms run',
    text: "I'll read the pandas documentation first.\n<execute_browse>\nGoto('https://pandas.pydata.org/docs/')\n</execute_browse>",
    expected: { kind: 'malformed', problem: 'unsupportedAction', observation: /<execute_browse>.*Only these run here: .*<execute_bash>/ },
  },
  {
    name: 'an unknown <execute_sql> is told which forms run',
    text: 'Querying the table:\n<execute_sql>\nSELECT COUNT(*) FROM sales;\n</execute_sql>',
    expected: { kind: 'malformed', problem: 'unsupportedAction', observation: /<execute_sql>/ },
  },
  {
    name: 'a JavaScript fence sent as the action is told which forms run',
    text: 'Let me run this to check:\n```javascript\nconsole.log([1, 2, 3].length)\n```',
    expected: { kind: 'malformed', problem: 'foreignLanguage', observation: /Only these run here/ },
  },
  {
    name: 'code shown as an answer: "a function you can use later"',
    text:
      'Here is a function you can use later to turn titles into URL slugs:\n```python\nimport re\n\ndef slugify(title):\n    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")\n```\n' +
      "You can call it like `slugify('Hello World')`.",
    expected: { kind: 'answer' },
  },
  {
    name: 'code shown as an answer: "would you like me to run it?"',
    text:
      "I wrote a helper that parses the dates in your file and reports the rows it could not read:\n```python\nimport pandas as pd\n\ndef bad_dates(path):\n    df = pd.read_csv(path)\n    parsed = pd.to_datetime(df['date'], errors='coerce')\n    return df[parsed.isna()]\n```\n" +
      'Would you like me to run it on sales.csv?',
    expected: { kind: 'answer' },
  },
  {
    name: 'code shown as an answer whose description has a verb like "running" in it',
    text: 'Here is a function you can use later for running the monthly report:\n```python\ndef monthly_report(df):\n    return df.groupby("month").revenue.sum()\n```\n',
    expected: { kind: 'answer' },
  },
  {
    name: 'code shown as an answer, then "let me know"',
    text: 'Here is the cleaned-up version of your function:\n```python\ndef total(xs):\n    return sum(xs)\n```\nLet me know if you want me to run it on your list.',
    expected: { kind: 'answer' },
  },
  {
    name: 'code the model says it will run is an action even with "you" in it',
    text: 'You asked for the total. Let me compute it:\n```python\nprint(df.revenue.sum())\n```\n',
    expected: { kind: 'action', code: 'print(df.revenue.sum())' },
  },
];

function parseWhole(text: string, format: ActionFormat = 'auto', toolCalls: ModelToolCall[] = []): ParsedReply {
  return parseReply({ text, thinking: 'none', toolCalls, finishReason: 'stop' }, format);
}

/** A model that streams its reply one character at a time and records whether it was stopped. */
function oneCharacterModel(text: string): { model: ChatModel; stoppedEarly: () => boolean } {
  let sent = 0;
  const model: ChatModel = {
    modelId: 'one-char-model',
    supportsStopSequences: false,
    supportsTools: false,
    costUsd: () => undefined,
    async *stream(_request: ChatRequest, _signal: AbortSignal): AsyncIterable<ChatDelta> {
      for (const character of text) {
        sent += character.length;
        // One chunk per event-loop turn, as from a socket.
        await new Promise((resolve) => setImmediate(resolve));
        yield { type: 'text', text: character };
      }
      yield { type: 'finish', reason: 'stop' };
    },
  };
  return { model, stoppedEarly: () => sent < text.length };
}

async function parseStreamed(text: string): Promise<{ parsed: ParsedReply; prose: string; stoppedEarly: boolean }> {
  const { model, stoppedEarly } = oneCharacterModel(text);
  let prose = '';
  const outcome = await collectReply(model, { messages: [] }, 'auto', new AbortController().signal, {
    prose: (delta) => (prose += delta),
    reset: () => (prose = ''),
    retrying: () => undefined,
  });
  assert.equal(outcome.kind, 'complete');
  const reply = outcome.reply;
  const parsed = parseReply({ text: reply.text, thinking: reply.thinking, toolCalls: reply.toolCalls, finishReason: reply.finishReason }, 'auto');
  return { parsed, prose, stoppedEarly: stoppedEarly() };
}

function check(parsed: ParsedReply, expected: Expected, how: string): void {
  assert.equal(parsed.kind, expected.kind, `${how}: ${JSON.stringify(parsed)}`);
  if (parsed.kind === 'action' && expected.kind === 'action') {
    assert.equal(parsed.code, expected.code, how);
    assert.equal(parsed.language, expected.language ?? 'python', how);
    if (expected.prose !== undefined) assert.equal(parsed.prose, expected.prose, how);
    if (expected.skippedLanguage !== undefined) assert.equal(parsed.skippedLanguage, expected.skippedLanguage, how);
  }
  if (parsed.kind === 'malformed' && expected.kind === 'malformed') {
    assert.equal(parsed.problem, expected.problem, how);
    if (expected.observation) assert.match(parsed.observation, expected.observation, how);
  }
}

describe('Real models\' replies in auto format (read whole and streamed one character at a time)', () => {
  for (const { name, text, expected } of CASES) {
    it(name, async () => {
      check(parseWhole(text), expected, 'whole');
      const streamed = await parseStreamed(text);
      check(streamed.parsed, expected, 'streamed');
      if (streamed.parsed.kind === 'action') {
        assert.doesNotMatch(streamed.prose, /<execute|<code>|```py/, 'no action markup was shown as prose');
        assert.equal(streamed.prose.trim(), streamed.parsed.prose, 'the prose streamed is the prose kept');
      } else {
        assert.equal(streamed.stoppedEarly, false, 'a reply without an action is read to its end');
        assert.equal(streamed.prose.trim(), text.trim(), 'the whole reply was shown');
      }
    });
  }
});

describe('Tool calls of another name', () => {
  it('runs a call whose arguments hold code as execute_python, with a note to the model', () => {
    const parsed = parseWhole('', 'tools', [{ id: 'call_7', name: 'python', argumentsJson: '{"code": "print(40 + 2)"}' }]);
    assert.equal(parsed.kind, 'action');
    if (parsed.kind !== 'action') return;
    assert.equal(parsed.code, 'print(40 + 2)');
    assert.equal(parsed.toolCall?.name, 'execute_python', 'the history keeps the call under the real tool name');
    assert.equal(parsed.toolCall?.id, 'call_7');
    assert.match(parsed.note ?? '', /no tool named "python".*ran as execute_python/);
  });

  it("runs OpenHands' execute_bash {\"command\"} as a shell command (a %%bash cell), answered as execute_python", () => {
    const parsed = parseWhole('Let me look at the files.', 'tools', [{ id: 'call_9', name: 'execute_bash', argumentsJson: '{"command": "ls -la data/\\nwc -l data/sales.csv"}' }]);
    assert.equal(parsed.kind, 'action');
    if (parsed.kind !== 'action') return;
    assert.equal(parsed.language, 'bash', 'the card says it is a shell command');
    assert.equal(parsed.code, '%%bash\nls -la data/\nwc -l data/sales.csv');
    assert.equal(parsed.toolCall?.name, 'execute_python');
    assert.deepEqual(JSON.parse(parsed.toolCall?.argumentsJson ?? ''), { code: '%%bash\nls -la data/\nwc -l data/sales.csv' }, 'the history holds the cell that ran');
    assert.match(parsed.note ?? '', /no tool named "execute_bash".*%%bash cell/);
    const other = parseWhole('', 'tools', [{ id: 'call_10', name: 'bash', argumentsJson: '{"cmd": "pip list"}' }]);
    assert.equal(other.kind === 'action' ? other.code : other.kind, '%%bash\npip list');
  });

  it('still refuses a call of another name without code', () => {
    const parsed = parseWhole('', 'tools', [{ id: 'call_8', name: 'web_search', argumentsJson: '{"query": "pandas"}' }]);
    assert.equal(parsed.kind === 'malformed' ? parsed.problem : parsed.kind, 'unknownTool');
  });
});

describe('The explicit formats, form by form (as the README table says)', () => {
  type Outcome = 'runs' | 'told' | 'prose';
  const outcome = (parsed: ParsedReply): Outcome => (parsed.kind === 'action' ? 'runs' : parsed.kind === 'malformed' ? 'told' : 'prose');
  const FORMS: readonly { readonly form: string; readonly text: string; readonly tags: Outcome; readonly markdown: Outcome; readonly tools: Outcome }[] = [
    { form: '<execute>', text: 'Checking.\n<execute>\nprint(1)\n</execute>', tags: 'runs', markdown: 'prose', tools: 'prose' },
    { form: '<execute_ipython>', text: 'Checking.\n<execute_ipython>\nprint(1)\n</execute_ipython>', tags: 'runs', markdown: 'prose', tools: 'prose' },
    { form: '<execute_bash>', text: 'Listing.\n<execute_bash>\nls\n</execute_bash>', tags: 'runs', markdown: 'prose', tools: 'prose' },
    { form: '<code>', text: 'Thought: count.\n<code>\nprint(3)\n</code>', tags: 'runs', markdown: 'prose', tools: 'prose' },
    { form: '<execute_browse>', text: '<execute_browse>\nGoto("https://example.com")\n</execute_browse>', tags: 'told', markdown: 'prose', tools: 'prose' },
    { form: '```python', text: 'Let me run it.\n```python\nprint(1)\n```', tags: 'prose', markdown: 'runs', tools: 'prose' },
    { form: '```py … ```<end_code>', text: 'Thought: go.\nCode:\n```py\nprint(1)\n```<end_code>', tags: 'prose', markdown: 'runs', tools: 'prose' },
    { form: 'a shown ```python block', text: 'Here is a helper you can use later:\n```python\ndef f():\n    return 1\n```\nWould you like me to run it?', tags: 'prose', markdown: 'runs', tools: 'prose' },
    { form: '```javascript', text: 'Running:\n```javascript\nconsole.log(1)\n```', tags: 'prose', markdown: 'told', tools: 'prose' },
  ];
  for (const { form, text, ...expected } of FORMS) {
    it(form, () => {
      for (const format of ['tags', 'markdown', 'tools'] as const) {
        assert.equal(outcome(parseWhole(text, format)), expected[format], `${format}`);
      }
    });
  }
});
