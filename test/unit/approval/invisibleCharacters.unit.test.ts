import * as assert from 'node:assert/strict';
import { codePointLabel, describeCharacter, findInvisibleCharacters, hasInvisibleCharacters, invisibleCharactersReason } from '../../../src/shared/invisibleCharacters';

// Written with escapes: the characters under test must not hide in this file either.
const DIRECTION = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const INVISIBLE = ['\u00AD', '\u034F', '\u180E', '\u200B', '\u200C', '\u200D', '\u2028', '\u2029', '\u2060', '\u2064', '\u206F', '\u3164', '\uFEFF', '\uFFA0', '\u{1D173}', '\u{E0001}', '\u{E0041}', '\u{E007F}'];

describe('invisible and direction-changing characters', () => {
  it('finds every direction control and invisible character, each at its line and column', () => {
    for (const character of [...DIRECTION, ...INVISIBLE]) {
      const code = `x = 1\nname = "a${character}b"\n`;
      assert.deepEqual(findInvisibleCharacters(code), [{ codePoint: codePointLabel(character), line: 2, column: 10 }], describeCharacter(character));
      assert.equal(hasInvisibleCharacters(code), true);
    }
  });

  it('leaves ordinary code alone: text in other scripts, emoji with their variation selector, tabs and spaces', () => {
    for (const code of ['print("שלום", "مرحبا", "héllo")', 'print("\u2764\uFE0F done")', 'if x:\n\treturn  1\r\n', "df['naïve'] = 1"]) {
      assert.deepEqual(findInvisibleCharacters(code), [], code);
      assert.equal(hasInvisibleCharacters(code), false);
    }
  });

  it('counts lines as Python does (\\n, \\r\\n, \\r) and columns in code points', () => {
    const code = 'a = 1\r\nb = 2\rc = "\u{1F600}\u202E"\n';
    assert.deepEqual(findInvisibleCharacters(code), [{ codePoint: 'U+202E', line: 3, column: 7 }]);
  });

  it('names the characters and their lines for the card and the approval reason', () => {
    assert.equal(invisibleCharactersReason([]), undefined);
    const code = 'x = 1\nok = True\n# \u202Enruter\nname = "a\u200Bb"\nalias = "c\u200Bd"\n';
    assert.equal(invisibleCharactersReason(findInvisibleCharacters(code)), 'contains invisible or direction-changing characters (U+202E at line 3; U+200B at lines 4, 5)');
    const many = invisibleCharactersReason(findInvisibleCharacters('\u202A\u202B\u202C\u202D\u202E'));
    assert.equal(many, 'contains invisible or direction-changing characters (U+202A at line 1; U+202B at line 1; U+202C at line 1; and 2 more)');
    assert.equal(describeCharacter('\u202E'), 'U+202E right-to-left override');
    assert.equal(describeCharacter('\u{E0041}'), 'U+E0041 invisible character');
  });
});
