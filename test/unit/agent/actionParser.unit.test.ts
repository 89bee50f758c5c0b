import * as assert from 'node:assert/strict';
import {
  type ActionReply,
  ActionStreamDetector,
  extractCode,
  type MalformedReply,
  type ParsedReply,
  parseReply,
  replyTextWithAction,
} from '../../../src/agent/actionParser';
import type { ActionFormat } from '../../../src/agent/replyScanner';
import type { FinishReason, ModelToolCall } from '../../../src/llm/chatModel';

function parse(text: string, format: ActionFormat = 'auto', finishReason: FinishReason = 'stop', toolCalls: ModelToolCall[] = []): ParsedReply {
  return parseReply({ text, thinking: 'none', toolCalls, finishReason }, format);
}

function action(result: ParsedReply): ActionReply {
  assert.equal(result.kind, 'action', `expected an action, got ${JSON.stringify(result)}`);
  return result;
}

function malformed(result: ParsedReply): MalformedReply {
  assert.equal(result.kind, 'malformed', `expected malformed, got ${JSON.stringify(result)}`);
  return result;
}

function call(argumentsJson: string, name = 'execute_python', id = 'call_1'): ModelToolCall {
  return { id, name, argumentsJson };
}

describe('parseReply: <execute> tags', () => {
  it('takes the code between the tags and the prose before them', () => {
    const result = action(parse('Let me look.\n<execute>\nprint(1)\n</execute>'));
    assert.equal(result.code, 'print(1)');
    assert.equal(result.prose, 'Let me look.');
    assert.equal(result.textBefore, 'Let me look.\n');
    assert.equal(result.source, 'tags');
  });

  it('treats an unclosed tag as closed when the stream stopped (the stop sequence ate </execute>)', () => {
    const result = action(parse('Checking.\n<execute>\nx = 1\nprint(x)\n', 'auto', 'stop'));
    assert.equal(result.code, 'x = 1\nprint(x)');
  });

  it('treats an unclosed tag as closed when the provider did not say why it stopped', () => {
    assert.equal(action(parse('<execute>\nprint(2)', 'tags', 'unknown')).code, 'print(2)');
  });

  it('accepts a server that includes the stop sequence in the text', () => {
    assert.equal(action(parse('<execute>print(3)</execute>', 'tags')).code, 'print(3)');
  });

  it('reports an unclosed tag cut by the length limit, without running it', () => {
    const result = malformed(parse('Plan.\n<execute>\nfor i in range(10):\n    pri', 'auto', 'length'));
    assert.equal(result.problem, 'cutOffAction');
    assert.match(result.observation, /cut off before <\/execute>/);
    assert.match(result.observation, /length limit/);
    assert.match(result.observation, /did not run/);
    assert.equal(result.prose, 'Plan.');
  });

  it('reports an unclosed tag stopped by a content filter', () => {
    assert.match(malformed(parse('<execute>\nimport os', 'tags', 'contentFilter')).observation, /content filter/);
  });

  it('reports an empty block', () => {
    const result = malformed(parse('Here:\n<execute>\n   \n</execute>', 'tags'));
    assert.equal(result.problem, 'emptyAction');
    assert.match(result.observation, /<execute> block was empty/);
  });

  it('reads a tag in the middle of a line', () => {
    const result = action(parse('Let me run it: <execute>print("hi")</execute>', 'tags'));
    assert.equal(result.code, 'print("hi")');
    assert.equal(result.prose, 'Let me run it:');
  });

  it('unwraps a Python fence inside the tags', () => {
    assert.equal(action(parse('<execute>\n```python\nimport math\nmath.pi\n```\n</execute>')).code, 'import math\nmath.pi');
  });

  it('unwraps a fence inside tags even when the fence is not closed', () => {
    assert.equal(action(parse('<execute>\n```python\nprint(1)\n</execute>', 'tags')).code, 'print(1)');
  });

  it('runs only the first block and drops everything after it', () => {
    const result = action(parse('<execute>\na = 1\n</execute>\nNow the second:\n<execute>\nb = 2\n</execute>'));
    assert.equal(result.code, 'a = 1');
  });

  it('ignores a tag inside inline code', () => {
    const result = parse('Wrap code in `<execute>` tags when you want it run.', 'tags');
    assert.deepEqual(result, { kind: 'answer', prose: 'Wrap code in `<execute>` tags when you want it run.', cutOff: false });
  });

  it('finds a real tag after an inline-code mention on the same line', () => {
    assert.equal(action(parse('Using `<execute>`: <execute>print(4)</execute>', 'tags')).code, 'print(4)');
  });

  it('is case-insensitive about the tag', () => {
    assert.equal(action(parse('<EXECUTE>\nprint(5)\n</Execute>', 'tags')).code, 'print(5)');
  });

  it('removes common indentation', () => {
    assert.equal(action(parse('<execute>\n    if True:\n        print(6)\n</execute>')).code, 'if True:\n    print(6)');
  });

  it('finds a tag inside an unlabelled fence (models wrap tags in fences)', () => {
    assert.equal(action(parse('```\n<execute>\nprint(7)\n</execute>\n```')).code, 'print(7)');
  });

  it("in 'tags' format, a fenced Python block is only prose", () => {
    const result = parse('Example:\n```python\nprint(1)\n```', 'tags');
    assert.equal(result.kind, 'answer');
  });

  it('keeps CRLF line endings out of the code', () => {
    assert.equal(action(parse('<execute>\r\nprint(8)\r\n</execute>', 'tags')).code, 'print(8)');
  });
});

describe('parseReply: fenced Python blocks', () => {
  for (const language of ['python', 'py', 'ipython', 'python3', 'Python', 'py3', 'ipython3']) {
    it(`runs a \`\`\`${language} block`, () => {
      const result = action(parse(`Computing.\n\`\`\`${language}\nprint(1 + 1)\n\`\`\``, 'markdown'));
      assert.equal(result.code, 'print(1 + 1)');
      assert.equal(result.source, 'markdown');
      assert.equal(result.prose, 'Computing.');
    });
  }

  it('reads the language from an info string with attributes', () => {
    assert.equal(action(parse('```python title="x.py"\nprint(9)\n```', 'markdown')).code, 'print(9)');
    assert.equal(action(parse('```{python}\nprint(9)\n```', 'markdown')).code, 'print(9)');
  });

  it('runs only the first block; later blocks and text are dropped', () => {
    const result = action(parse('```python\nfirst()\n```\nThen:\n```python\nsecond()\n```\nDone.', 'auto'));
    assert.equal(result.code, 'first()');
  });

  for (const language of ['bash', 'sh', 'js', 'javascript', 'r', 'sql', 'powershell']) {
    it(`refuses a \`\`\`${language} block with a clear observation`, () => {
      const result = malformed(parse(`Install it:\n\`\`\`${language}\nsomething\n\`\`\``, 'auto'));
      assert.equal(result.problem, 'foreignLanguage');
      assert.match(result.observation, new RegExp(`\`\`\`${language} block, which was not run`));
      assert.match(result.observation, /Only these run here/);
      assert.match(result.notice, new RegExp(language));
    });
  }

  for (const language of ['', 'text', 'json', 'output', 'csv', 'console', 'yaml', 'diff']) {
    it(`treats a \`\`\`${language || '(unlabelled)'} block as prose in a final answer`, () => {
      const result = parse(`The result:\n\`\`\`${language}\n{"a": 1}\n\`\`\`\nThat is all.`, 'auto');
      assert.equal(result.kind, 'answer');
    });
  }

  it('runs a Python block that follows a foreign block, and remembers the foreign one', () => {
    const result = action(parse('```bash\npip install x\n```\n```python\nimport x\n```', 'auto'));
    assert.equal(result.code, 'import x');
    assert.equal(result.skippedLanguage, 'bash');
  });

  it('treats an unclosed fence at the natural end of the reply as closed', () => {
    assert.equal(action(parse('```python\nprint(10)\n', 'markdown', 'stop')).code, 'print(10)');
  });

  it('reports an unclosed fence cut by the length limit', () => {
    const result = malformed(parse('```python\nprint(', 'markdown', 'length'));
    assert.equal(result.problem, 'cutOffAction');
    assert.match(result.observation, /before its code block was closed/);
  });

  it('reports an empty Python block', () => {
    assert.equal(malformed(parse('```python\n```', 'markdown')).problem, 'emptyAction');
    assert.equal(malformed(parse('Run:\n```python', 'markdown')).problem, 'emptyAction');
  });

  it('supports tilde fences and longer fences around inner backticks', () => {
    assert.equal(action(parse('~~~python\nprint(11)\n~~~', 'markdown')).code, 'print(11)');
    assert.equal(action(parse('````python\ns = """\n```\n"""\n````', 'markdown')).code, 's = """\n```\n"""');
  });

  it('does not close a fence with a different fence character or a shorter fence', () => {
    assert.equal(action(parse('~~~python\na = 1\n```\nb = 2\n~~~', 'markdown')).code, 'a = 1\n```\nb = 2');
  });

  it('dedents a fence inside a list item', () => {
    assert.equal(action(parse('1. Step:\n   ```python\n   x = 1\n   ```', 'markdown')).code, 'x = 1');
  });

  it("in 'markdown' format, <execute> tags are only prose", () => {
    assert.equal(parse('<execute>\nprint(1)\n</execute>', 'markdown').kind, 'answer');
  });

  it('does not treat ```python inline on a line as a fence', () => {
    assert.equal(parse('Use ```python blocks``` for code.', 'markdown').kind, 'answer');
  });
});

describe("parseReply: 'auto' picks whichever action comes first", () => {
  it('a tag before a fence', () => {
    assert.equal(action(parse('<execute>\ntag()\n</execute>\n```python\nfence()\n```')).source, 'tags');
  });

  it('a fence before a tag', () => {
    assert.equal(action(parse('```python\nfence()\n```\n<execute>\ntag()\n</execute>')).source, 'markdown');
  });

  it('plain text is a final answer', () => {
    assert.deepEqual(parse('The answer is 42.'), { kind: 'answer', prose: 'The answer is 42.', cutOff: false });
  });

  it('marks an answer cut by the length limit', () => {
    assert.equal((parse('The answer is', 'auto', 'length') as { cutOff: boolean }).cutOff, true);
  });
});

describe("parseReply: 'tools' format (execute_python calls)", () => {
  it('runs the first execute_python call', () => {
    const result = action(parse('I will compute it.', 'tools', 'toolCalls', [call('{"code":"print(2**10)"}')]));
    assert.equal(result.code, 'print(2**10)');
    assert.equal(result.source, 'tool');
    assert.equal(result.toolCall?.id, 'call_1');
    assert.equal(result.prose, 'I will compute it.');
    assert.deepEqual(result.extraToolCalls, []);
  });

  it('keeps further calls aside (they are answered "not run")', () => {
    const second = call('{"code":"b()"}', 'execute_python', 'call_2');
    const result = action(parse('', 'tools', 'toolCalls', [call('{"code":"a()"}'), second]));
    assert.deepEqual(result.extraToolCalls, [second]);
  });

  it('reports arguments that are not JSON', () => {
    const result = malformed(parse('', 'tools', 'toolCalls', [call('print(1)')]));
    assert.equal(result.problem, 'badToolArguments');
    assert.match(result.observation, /not valid JSON/);
  });

  it('reports arguments without a code string', () => {
    assert.match(malformed(parse('', 'tools', 'toolCalls', [call('{"source": "x"}')])).observation, /no "code" string/);
    assert.match(malformed(parse('', 'tools', 'toolCalls', [call('[1]')])).observation, /not a JSON object/);
  });

  it('reports an unknown tool', () => {
    const result = malformed(parse('', 'tools', 'toolCalls', [call('{}', 'run_shell')]));
    assert.equal(result.problem, 'unknownTool');
    assert.match(result.observation, /no tool named "run_shell"/);
  });

  it('runs a shell tool\'s command as a %%bash cell, whichever argument holds it (command, cmd, code)', () => {
    for (const args of ['{"command": "ls -la"}', '{"cmd": "ls -la"}', '{"code": "ls -la"}']) {
      const result = action(parse('', 'tools', 'toolCalls', [call(args, 'bash')]));
      assert.equal(result.language, 'bash', args);
      assert.equal(result.code, '%%bash\nls -la', args);
      assert.equal(result.toolCall?.name, 'execute_python', args);
    }
  });

  it('reports a call cut by the length limit', () => {
    assert.equal(malformed(parse('', 'tools', 'length', [call('{"code": "pri')])).problem, 'cutOffAction');
  });

  it('reports empty code', () => {
    assert.equal(malformed(parse('', 'tools', 'toolCalls', [call('{"code": "  "}')])).problem, 'emptyAction');
  });

  it('without a call, the text is the answer (tags in the text are not run)', () => {
    assert.equal(parse('<execute>\nprint(1)\n</execute>', 'tools').kind, 'answer');
  });
});

describe('parseReply: a reply that ended inside its think block', () => {
  it('is malformed, not an answer, and says to put the action after </think>', () => {
    // The `</execute>` stop sequence fired inside the thought: the text is empty, nothing runs.
    const result = malformed(parseReply({ text: '', thinking: 'open', toolCalls: [], finishReason: 'stop' }, 'auto'));
    assert.equal(result.problem, 'unfinishedThinking');
    assert.equal(result.prose, '');
    assert.match(result.observation, /ended inside your <think> block, so there was no answer and nothing ran/);
    assert.match(result.observation, /Finish thinking with <\/think>, then write the action or your answer after it\./);
    assert.match(result.observation, /Do not write <\/execute> while thinking/);
    assert.match(result.notice, /still thinking/);
  });

  it('mentions no stop sequence in the markdown format, which sends none', () => {
    const result = malformed(parseReply({ text: '', thinking: 'open', toolCalls: [], finishReason: 'unknown' }, 'markdown'));
    assert.doesNotMatch(result.observation, /execute/);
  });

  it('says the reply was cut off when the output limit ended the thought', () => {
    const result = malformed(parseReply({ text: '', thinking: 'open', toolCalls: [], finishReason: 'length' }, 'tags'));
    assert.equal(result.problem, 'unfinishedThinking');
    assert.match(result.observation, /cut off while you were still thinking \(the output length limit was reached\)/);
    assert.match(result.observation, /Think more briefly/);
  });

  it('still runs a complete tool call (tool calls do not depend on the text)', () => {
    const result = action(parseReply({ text: '', thinking: 'open', toolCalls: [call('{"code": "print(1)"}')], finishReason: 'toolCalls' }, 'tools'));
    assert.equal(result.code, 'print(1)');
  });

  it('a closed think block changes nothing: the text after it is the answer', () => {
    assert.deepEqual(parseReply({ text: 'It is 42.', thinking: 'closed', toolCalls: [], finishReason: 'stop' }, 'auto'), { kind: 'answer', prose: 'It is 42.', cutOff: false });
  });
});

describe('extractCode', () => {
  it('drops blank lines around the code and trailing spaces', () => {
    assert.equal(extractCode('\n\n  x = 1   \n  y = 2\n\n'), 'x = 1\ny = 2');
  });

  it('keeps blank lines inside the code', () => {
    assert.equal(extractCode('a = 1\n\nb = 2'), 'a = 1\n\nb = 2');
  });

  it('keeps relative indentation when lines are unevenly indented', () => {
    assert.equal(extractCode('  def f():\n      return 1'), 'def f():\n    return 1');
  });

  it('does not unwrap a fence in another language', () => {
    assert.equal(extractCode('```bash\nls\n```'), '```bash\nls\n```');
  });
});

describe('replyTextWithAction (the history keeps the code that ran)', () => {
  it('renders tags with the prose before them', () => {
    assert.equal(replyTextWithAction('Plan.\n', 'print(1)', 'tags'), 'Plan.\n<execute>\nprint(1)\n</execute>');
  });

  it('renders a Python fence on its own line', () => {
    assert.equal(replyTextWithAction('Plan.', 'print(1)', 'markdown'), 'Plan.\n```python\nprint(1)\n```');
    assert.equal(replyTextWithAction('', 'print(1)', 'markdown'), '```python\nprint(1)\n```');
  });

  it('leaves tool-call replies to their tool call', () => {
    assert.equal(replyTextWithAction('Plan.', 'print(1)', 'tool'), 'Plan.');
  });
});

/** Streams `text` through a detector in the given chunks; returns the prose and where it stopped. */
function stream(text: string, format: ActionFormat, chunks: readonly string[] = [...text]): { prose: string; stoppedAt: number | undefined } {
  const detector = new ActionStreamDetector(format);
  let prose = '';
  let received = 0;
  for (const chunk of chunks) {
    received += chunk.length;
    const progress = detector.push(chunk);
    prose += progress.proseDelta;
    if (progress.actionComplete) return { prose, stoppedAt: received };
  }
  return { prose: prose + detector.finish(), stoppedAt: undefined };
}

describe('ActionStreamDetector (stop streaming after the first action)', () => {
  it('stops exactly when </execute> completes, and never shows the action as prose', () => {
    const text = 'Let me check.\n<execute>\nprint(1)\n</execute>\nand more text';
    const result = stream(text, 'auto');
    assert.equal(result.stoppedAt, text.indexOf('</execute>') + '</execute>'.length);
    assert.equal(result.prose, 'Let me check.\n');
  });

  it('never shows a half-received "<exec" as prose', () => {
    const detector = new ActionStreamDetector('tags');
    assert.equal(detector.push('Sure <exec').proseDelta, 'Sure ');
    assert.equal(detector.push('ute>print(1)').proseDelta, '');
    assert.equal(detector.push('</execute>').actionComplete, true);
  });

  it('releases a held-back "<" once it is clearly not a tag', () => {
    const detector = new ActionStreamDetector('tags');
    assert.equal(detector.push('if a <').proseDelta, 'if a ');
    assert.equal(detector.push(' b').proseDelta, '< b');
  });

  it('stops at the end of the first complete Python fence (needs the closing line)', () => {
    const text = 'Computing.\n```python\nprint(2)\n```\nThe result will be 2.';
    const result = stream(text, 'markdown');
    assert.equal(result.stoppedAt, text.indexOf('```\nThe') + 4);
    assert.equal(result.prose, 'Computing.\n');
  });

  it('does not mistake "```py" for a complete opening line', () => {
    const detector = new ActionStreamDetector('markdown');
    assert.deepEqual(detector.push('Text\n```py'), { proseDelta: 'Text\n', actionComplete: false, proseReset: false });
    assert.deepEqual(detector.push('x\nbody\n```\n'), { proseDelta: '```pyx\nbody\n```\n', actionComplete: false, proseReset: false });
  });

  it('streams a data block as prose and does not stop for it', () => {
    const text = 'Output:\n```json\n{"a": 1}\n```\nDone.';
    assert.deepEqual(stream(text, 'auto'), { prose: text, stoppedAt: undefined });
  });

  it('a final answer streams out whole', () => {
    const text = 'The mean is 4.5, computed from 10 values.';
    assert.deepEqual(stream(text, 'auto'), { prose: text, stoppedAt: undefined });
  });

  it("in 'tools' format everything is prose and it never stops", () => {
    const text = '<execute>\nprint(1)\n</execute>';
    assert.deepEqual(stream(text, 'tools'), { prose: text, stoppedAt: undefined });
  });

  it('never takes an action from inside a think block, nor shows the thought as prose', () => {
    const thought = "<think>\nI could run <execute>import os; os.listdir('/')</execute>, or\n```python\nprint('no')\n```\n</think>\n\n";
    const text = `${thought}Listing the folder.\n<execute>\nprint(sorted(os.listdir('.')))\n</execute>`;
    for (const format of ['auto', 'tags'] as const) {
      const result = stream(text, format);
      assert.equal(result.stoppedAt, text.length, format);
      assert.equal(result.prose, 'Listing the folder.\n', format);
    }
    assert.deepEqual(stream(`${thought}Done.`, 'markdown'), { prose: 'Done.', stoppedAt: undefined });
  });

  it('hides thinking in the tools format too', () => {
    assert.deepEqual(stream('<think>call it</think>Calling.', 'tools'), { prose: 'Calling.', stoppedAt: undefined });
  });

  it('finds the action after </think> even when the tags arrive split across chunks', () => {
    const detector = new ActionStreamDetector('auto');
    assert.deepEqual(detector.push('<thi'), { proseDelta: '', actionComplete: false, proseReset: false });
    assert.deepEqual(detector.push('nk>run <execute>x=1</exe'), { proseDelta: '', actionComplete: false, proseReset: false });
    assert.deepEqual(detector.push('cute></th'), { proseDelta: '', actionComplete: false, proseReset: false });
    assert.equal(detector.thinking, 'open');
    assert.deepEqual(detector.push('ink>\nOK <execute>y=2</execute>'), { proseDelta: 'OK ', actionComplete: true, proseReset: false });
    assert.equal(detector.text, 'OK <execute>y=2</execute>');
    assert.equal(detector.thinking, 'closed');
    assert.equal(action(parseReply({ text: detector.text, thinking: detector.thinking, toolCalls: [], finishReason: 'stop' }, 'auto')).code, 'y=2');
  });

  it('gives the same answer however the text is chunked', () => {
    const samples = [
      'Let me see.\n<execute>\nimport pandas as pd\ndf = pd.read_csv("x.csv")\n</execute>',
      'Plan:\n- load\n- plot\n```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n```\nthen more',
      'Answer: `<execute>` is the tag. <execute>print(1)</execute>',
      '```bash\nls\n```\n```python\nprint(1)\n```',
      'No code at all, just < and > and ` marks ``` inline.',
      '~~~py\nx = 1\n~~~\n',
      '<think>\nmaybe <execute>print(0)</execute>\n```python\nprint(0)\n```\n</think>\nSo:\n<execute>print(1)</execute>',
    ];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const format of ['auto', 'tags', 'markdown'] as const) {
      for (const text of samples) {
        const whole = stream(text, format, [text]);
        for (let trial = 0; trial < 25; trial++) {
          const chunks: string[] = [];
          for (let i = 0; i < text.length; ) {
            const size = 1 + Math.floor(random() * 7);
            chunks.push(text.slice(i, i + size));
            i += size;
          }
          const chunked = stream(text, format, chunks);
          assert.equal(chunked.prose, whole.prose, `${format}: ${JSON.stringify(text)} in ${JSON.stringify(chunks)}`);
          assert.equal(chunked.stoppedAt === undefined, whole.stoppedAt === undefined, `${format}: ${JSON.stringify(text)}`);
        }
      }
    }
  });
});

/** DeepSeek-R1's template writes "<think>\n" into the prompt: the reply starts mid-thought and only closes it. */
const R1_REPLY =
  "Okay, the user wants the files. I could run ```python\nshutil.rmtree('data')\n``` but that is destructive, so no.\n</think>\n\n" +
  "Here is the listing:\n```python\nimport os\nprint(sorted(os.listdir('.')))\n```\nIt will show the files.";

describe('ActionStreamDetector: replies that start inside a thought', () => {
  /** Streams `chunks`; returns the prose shown (resets applied), where the stream stopped, and the detector. */
  function streamInThought(chunks: readonly string[], startsInThought: boolean): { prose: string; stoppedAt: number | undefined; detector: ActionStreamDetector } {
    const detector = new ActionStreamDetector('auto', { startsInThought });
    let prose = '';
    let received = 0;
    for (const chunk of chunks) {
      received += chunk.length;
      const progress = detector.push(chunk);
      if (progress.proseReset) prose = '';
      prose += progress.proseDelta;
      if (progress.actionComplete) return { prose, stoppedAt: received, detector };
    }
    return { prose: prose + detector.finish(), stoppedAt: undefined, detector };
  }

  it('proposes nothing from inside the thought and the real action after </think>', () => {
    for (const size of [1, 3, 7, R1_REPLY.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < R1_REPLY.length; i += size) chunks.push(R1_REPLY.slice(i, i + size));
      const { prose, stoppedAt, detector } = streamInThought(chunks, true);
      assert.equal(prose, 'Here is the listing:\n', `chunks of ${size}`);
      assert.ok(stoppedAt !== undefined && stoppedAt >= R1_REPLY.indexOf('```\nIt will') + 3, `stopped after the real action (chunks of ${size})`);
      assert.equal(detector.thinking, 'closed');
      assert.equal(detector.thoughtOpenedInPrompt, true);
      const parsed = action(parseReply({ text: detector.text, thinking: detector.thinking, toolCalls: [], finishReason: 'stop' }, 'auto'));
      assert.equal(parsed.code, "import os\nprint(sorted(os.listdir('.')))", `chunks of ${size}`);
      assert.equal(parsed.prose, 'Here is the listing:');
    }
  });

  it('shows and runs the reply of a model that was not thinking after all, once it ends', () => {
    const text = 'Listing it.\n```python\nprint(1)\n```\n';
    const { prose, stoppedAt, detector } = streamInThought([...text], true);
    assert.deepEqual([prose, stoppedAt, detector.thinking], ['Listing it.\n', undefined, 'none']);
    assert.equal(action(parseReply({ text: detector.text, thinking: detector.thinking, toolCalls: [], finishReason: 'stop' }, 'auto')).code, 'print(1)');
  });

  it('withdraws the prose shown before a stray </think> and reads on after it', () => {
    const text = 'The user wants 42. Simple.\n</think>\n\nComputing.\n<execute>\nprint(6 * 7)\n</execute>';
    const detector = new ActionStreamDetector('auto');
    const shown: string[] = [];
    let resets = 0;
    for (const chunk of [...text]) {
      const progress = detector.push(chunk);
      if (progress.proseReset) resets++;
      if (progress.proseReset) shown.length = 0;
      if (progress.proseDelta) shown.push(progress.proseDelta);
      if (progress.actionComplete) break;
    }
    assert.equal(resets, 1);
    assert.equal(shown.join(''), 'Computing.\n');
    assert.equal(detector.text, 'Computing.\n<execute>\nprint(6 * 7)\n</execute>');
    assert.equal(detector.prose, 'Computing.\n');
    assert.equal(detector.thoughtOpenedInPrompt, true);
    assert.equal(action(parseReply({ text: detector.text, thinking: detector.thinking, toolCalls: [], finishReason: 'stop' }, 'auto')).code, 'print(6 * 7)');
  });
});

describe('parseReply: a stray </think> in the text', () => {
  it('takes no action from before it, only the one after it', () => {
    const result = action(parse(R1_REPLY));
    assert.equal(result.code, "import os\nprint(sorted(os.listdir('.')))");
    assert.equal(result.prose, 'Here is the listing:');
    assert.deepEqual(parse("I could run <execute>shutil.rmtree('data')</execute>, no.\n</think>\nNothing to do."), { kind: 'answer', prose: 'Nothing to do.', cutOff: false });
  });

  it('leaves a </think> inside a line alone: code or a quote, not the end of a thought', () => {
    const cleaning = "Strip the reasoning from each answer:\n<execute>\ndf['answer'] = df.raw.str.split('</think>').str[-1]\nprint(df.answer.head())\n</execute>";
    assert.equal(action(parse(cleaning)).code, "df['answer'] = df.raw.str.split('</think>').str[-1]\nprint(df.answer.head())");
    assert.deepEqual(parse('R1 ends its thought with `</think>`, then answers.'), { kind: 'answer', prose: 'R1 ends its thought with `</think>`, then answers.', cutOff: false });
    const detector = new ActionStreamDetector('auto');
    let reset = false;
    for (const chunk of [...cleaning]) {
      const progress = detector.push(chunk);
      reset ||= progress.proseReset;
      if (progress.actionComplete) break;
    }
    assert.equal(reset, false, 'the prose shown is not withdrawn');
    assert.equal(detector.thoughtOpenedInPrompt, false, 'later replies are not read as thoughts');
  });

  it('a thought assumed to open in the prompt and cut off by the output limit stays thought: nothing in it runs', () => {
    const detector = new ActionStreamDetector('auto', { startsInThought: true });
    const cut = "Let me think. I could run <execute>shutil.rmtree('data')</execute> but hmm, maybe";
    for (const chunk of [...cut]) detector.push(chunk);
    assert.equal(detector.finish(true), '');
    assert.equal(detector.thinking, 'open');
    const parsed = parseReply({ text: detector.text, thinking: detector.thinking, toolCalls: [], finishReason: 'length' }, 'auto');
    assert.equal(parsed.kind, 'malformed');
    assert.equal(parsed.kind === 'malformed' ? parsed.problem : '', 'unfinishedThinking');
  });

  it('leaves a closing tag after an opening one alone: the answer is talking about the tags', () => {
    const result = action(parse('Qwen writes <think>…</think> first. Checking:\n<execute>print(1)</execute>'));
    assert.equal(result.code, 'print(1)');
  });
});
