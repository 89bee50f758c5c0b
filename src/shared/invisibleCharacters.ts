/**
 * Characters that make code read differently from how it runs: direction controls that reorder
 * what follows them on screen (the "Trojan Source" trick), and characters with no glyph that
 * hide text or split a word in two. Python keeps them in strings and comments, where they change
 * what a person reads but not what runs. The approval card shows each one as a visible marker
 * and asks for them even under auto-approve. Shared by the host (the check) and the webview (the
 * markers), so both agree on the set. The set follows the invisible and bidirectional characters
 * VS Code's editor highlights (`editor.unicodeHighlight`), less the variation selectors that
 * emoji carry (U+FE0F), which are everywhere in printed text and hide nothing.
 *
 * Written with escapes only: this file must not hold the characters it finds.
 */

/** Bidirectional formatting: embeddings, overrides, isolates and marks (first, last code point). */
const DIRECTION_CHANGING: readonly (readonly [number, number])[] = [
  [0x061c, 0x061c],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];

/**
 * No glyph: soft hyphen, combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
 * Mongolian selectors, zero-width space / non-joiner / joiner, line and paragraph separators,
 * word joiner and invisible operators, deprecated format controls, byte order mark,
 * interlinear annotation, musical formatting, and the tag characters (which can spell out ASCII
 * text nobody sees). Ranges of code points, not a regular expression class: the class would hold
 * joiners, which lint rightly reads as a likely mistake in a pattern.
 */
const INVISIBLE: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200d],
  [0x2028, 0x2029],
  [0x2060, 0x2064],
  [0x206a, 0x206f],
  [0x3164, 0x3164],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff9, 0xfffb],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe007f],
];

function inRanges(character: string, ranges: readonly (readonly [number, number])[]): boolean {
  const code = character.codePointAt(0) ?? -1;
  return ranges.some(([first, last]) => code >= first && code <= last);
}

/** Whether one character (one code point) is a direction control or has no glyph. */
export function isInvisibleCharacter(character: string): boolean {
  return inRanges(character, DIRECTION_CHANGING) || inRanges(character, INVISIBLE);
}

export function isDirectionChanging(character: string): boolean {
  return inRanges(character, DIRECTION_CHANGING);
}

export function hasInvisibleCharacters(text: string): boolean {
  for (const character of text) if (isInvisibleCharacter(character)) return true;
  return false;
}

/** A piece of text cut at each such character: plain runs, and the characters one by one. */
export type TextPiece = { readonly text: string; readonly invisible?: undefined } | { readonly text: string; readonly invisible: true };

export function splitAtInvisibleCharacters(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let run = '';
  for (const character of text) {
    if (!isInvisibleCharacter(character)) {
      run += character;
      continue;
    }
    if (run) pieces.push({ text: run });
    run = '';
    pieces.push({ text: character, invisible: true });
  }
  if (run) pieces.push({ text: run });
  return pieces;
}

/** "U+202E": how a character is named on the card. */
export function codePointLabel(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const NAMES: Readonly<Record<string, string>> = {
  '\u00AD': 'soft hyphen',
  '\u061C': 'Arabic letter mark',
  '\u200B': 'zero width space',
  '\u200C': 'zero width non-joiner',
  '\u200D': 'zero width joiner',
  '\u200E': 'left-to-right mark',
  '\u200F': 'right-to-left mark',
  '\u2028': 'line separator',
  '\u2029': 'paragraph separator',
  '\u202A': 'left-to-right embedding',
  '\u202B': 'right-to-left embedding',
  '\u202C': 'pop directional formatting',
  '\u202D': 'left-to-right override',
  '\u202E': 'right-to-left override',
  '\u2060': 'word joiner',
  '\u2066': 'left-to-right isolate',
  '\u2067': 'right-to-left isolate',
  '\u2068': 'first strong isolate',
  '\u2069': 'pop directional isolate',
  '\uFEFF': 'zero width no-break space',
};

/** "U+202E right-to-left override": for a marker's tooltip. */
export function describeCharacter(character: string): string {
  const name = NAMES[character] ?? (isDirectionChanging(character) ? 'direction control' : 'invisible character');
  return `${codePointLabel(character)} ${name}`;
}

/** One such character in a piece of code. */
export interface InvisibleCharacterFinding {
  /** "U+202E". */
  readonly codePoint: string;
  /** 1-based line (lines end at \n, \r\n or \r, as Python reads them). */
  readonly line: number;
  /** 1-based column, counted in code points. */
  readonly column: number;
}

/** Every such character in `code`, in order. */
export function findInvisibleCharacters(code: string): InvisibleCharacterFinding[] {
  const findings: InvisibleCharacterFinding[] = [];
  code.split(/\r\n?|\n/).forEach((text, index) => {
    let column = 0;
    for (const character of text) {
      column += 1;
      if (isInvisibleCharacter(character)) findings.push({ codePoint: codePointLabel(character), line: index + 1, column });
    }
  });
  return findings;
}

/** How many different characters a reason names before "and N more". */
const MAX_NAMED = 3;

/**
 * The reason to ask, in the words of the card's risk list:
 * "contains invisible or direction-changing characters (U+202E at line 3; U+200B at lines 4, 7)".
 * Undefined when there are none.
 */
export function invisibleCharactersReason(findings: readonly InvisibleCharacterFinding[]): string | undefined {
  if (findings.length === 0) return undefined;
  const lines = new Map<string, number[]>();
  for (const finding of findings) {
    const seen = lines.get(finding.codePoint) ?? [];
    if (!seen.includes(finding.line)) seen.push(finding.line);
    lines.set(finding.codePoint, seen);
  }
  const named = Array.from(lines.entries())
    .slice(0, MAX_NAMED)
    .map(([codePoint, at]) => `${codePoint} at ${at.length === 1 ? 'line' : 'lines'} ${at.join(', ')}`);
  const more = lines.size > MAX_NAMED ? `; and ${String(lines.size - MAX_NAMED)} more` : '';
  return `contains invisible or direction-changing characters (${named.join('; ')}${more})`;
}
