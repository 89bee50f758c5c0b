import * as assert from 'node:assert/strict';
import { toolArgumentsJson, toolArgumentsObject } from '../../../src/llm/toolCallArguments';

describe('tool call arguments sent back to the model', () => {
  it('leaves a JSON object exactly as the model wrote it', () => {
    const written = '{"code": "print(1)",  "extra": true}';
    assert.equal(toolArgumentsJson(written), written);
  });

  it('turns bare code into {"code": …}', () => {
    assert.deepEqual(JSON.parse(toolArgumentsJson('print(1)')), { code: 'print(1)' });
  });

  it('reads the code of arguments cut off mid-string, escapes and all', () => {
    assert.deepEqual(toolArgumentsObject('{"code": "import pandas as pd\\ndf = pd.read_csv('), { code: 'import pandas as pd\ndf = pd.read_csv(' });
    assert.deepEqual(toolArgumentsObject('{"code": "print(\\"hi'), { code: 'print("hi' });
    assert.deepEqual(toolArgumentsObject('{"code": "a\\'), { code: 'a' }, 'a half-written escape at the cut is dropped');
    assert.deepEqual(toolArgumentsObject('{"code": "x = 1", "other'), { code: 'x = 1' }, 'cut after the code string');
  });

  it('wraps JSON that is not an object, and reads empty arguments as {}', () => {
    assert.deepEqual(toolArgumentsObject('[1, 2]'), { value: [1, 2] });
    assert.deepEqual(toolArgumentsObject('"print(1)"'), { value: 'print(1)' });
    assert.equal(toolArgumentsJson(''), '{}');
  });
});
