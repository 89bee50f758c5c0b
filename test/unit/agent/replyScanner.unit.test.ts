import * as assert from 'node:assert/strict';
import { fenceLanguage, isForeignLanguage, isPythonLanguage, ReplyScanner, scanReply } from '../../../src/agent/replyScanner';

describe('ReplyScanner', () => {
  it('locates a tag action: markup, code and end', () => {
    const text = 'Hi <execute>x=1</execute> after';
    const { action, proseEnd } = scanReply(text, 'tags');
    assert.deepEqual(action, { source: 'tags', start: 3, codeStart: 12, codeEnd: 15, end: 25, language: undefined, tag: 'execute', runs: 'python' });
    assert.equal(proseEnd, 3);
  });

  it('locates a fenced action from its opening line to past its closing line', () => {
    const text = 'Hi\n```python\nx=1\n```\nafter';
    const { action } = scanReply(text, 'markdown');
    assert.deepEqual(action, { source: 'markdown', start: 3, codeStart: 13, codeEnd: 16, end: 21, language: 'python', tag: undefined, runs: 'python' });
    assert.equal(text.slice(action.codeStart, action.codeEnd), 'x=1');
  });

  it('reports an open action while streaming, with the code so far', () => {
    const snapshot = scanReply('Go\n<execute>\nimport os\n', 'auto', false);
    assert.equal(snapshot.action?.end, undefined);
    assert.equal(snapshot.action?.codeEnd, 'Go\n<execute>\nimport os\n'.length);
  });

  it('records the first foreign block and where it starts', () => {
    assert.deepEqual(scanReply('a\n```sh\nls\n```\n```js\n1\n```', 'auto').foreignBlock, { language: 'sh', start: 2 });
    assert.equal(scanReply('a\n```sh\nls\n```', 'tags').foreignBlock, undefined);
  });

  it('holds back a line that may still become a fence, but only in formats that take fences', () => {
    assert.equal(scanReply('text\n``', 'markdown', false).proseEnd, 5);
    assert.equal(scanReply('text\n``', 'tags', false).proseEnd, 7);
  });

  it('releases everything at the end of a reply without an action', () => {
    assert.equal(scanReply('a <exe', 'auto').proseEnd, 6);
  });

  it("finds nothing in the 'tools' format", () => {
    const text = '<execute>x</execute>\n```python\ny\n```';
    const snapshot = scanReply(text, 'tools');
    assert.equal(snapshot.action, undefined);
    assert.equal(snapshot.proseEnd, text.length);
  });

  it('refuses text after finish', () => {
    const scanner = new ReplyScanner('auto');
    scanner.finish();
    assert.throws(() => scanner.append('x'));
  });

  it('classifies fence languages', () => {
    assert.equal(fenceLanguage(' Python  title="a"'), 'python');
    assert.equal(fenceLanguage('{.python}'), 'python');
    assert.equal(fenceLanguage(''), '');
    assert.equal(isPythonLanguage('ipython3'), true);
    assert.equal(isForeignLanguage('bash'), true);
    assert.equal(isForeignLanguage('json'), false);
    assert.equal(isForeignLanguage(''), false);
    assert.equal(isForeignLanguage('py'), false);
  });
});
