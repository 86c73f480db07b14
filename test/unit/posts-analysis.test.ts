// The analysis of a post (domain/posts/analysis.ts) as SPEC 12 defines a word: tokens between Unicode
// White_Space characters, a word when it holds a letter or digit, its length the count of its letters
// and digits. Hand-picked cases, then every code point against the Unicode properties as the regex
// engine knows them, then arbitrary texts against a one-line definition built on `\p{White_Space}`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { analyse, averageWordLength, isLetterOrDigit, isWhiteSpace } from '../../domain/posts/analysis';
import { contentArb, EDGE_CHARS } from '../support/posts-arbitraries';

/** The definition, spelt with the regex engine's Unicode properties. */
function byDefinition(s: string): { wordCount: number; length: number } {
  const words = s.split(/\p{White_Space}+/u).filter((t) => /[\p{L}\p{N}]/u.test(t));
  return {
    wordCount: words.length,
    length: words.reduce((n, w) => n + (w.match(/[\p{L}\p{N}]/gu)?.length ?? 0), 0),
  };
}

function words(s: string): [number, number | null] {
  const a = analyse(s);
  return [a.wordCount, averageWordLength(a)];
}

describe('analyse', () => {
  test("the SPEC's examples", () => {
    assert.deepEqual(words("Hello, world! It's a fine day."), [6, 21 / 6]);
    assert.deepEqual(words('— !!! 🎉'), [0, null]);
    assert.deepEqual(words(''), [0, null]);
  });

  test('accented letters count once, in NFC and in NFD', () => {
    const nfc = 'café naïve Ångström'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    assert.notEqual(nfc.length, nfd.length);
    assert.deepEqual(analyse(nfc), { wordCount: 3, length: 4 + 5 + 8 });
    assert.deepEqual(analyse(nfd), analyse(nfc));
    // A combining mark alone is no word.
    assert.deepEqual(words('\u0301 \u0308'), [0, null]);
  });

  test('CJK, scripts without spaces, and the ideographic space', () => {
    assert.deepEqual(analyse('你好世界'), { wordCount: 1, length: 4 });
    assert.deepEqual(analyse('你好 世界'), { wordCount: 2, length: 4 });
    assert.deepEqual(analyse('日本語\u3000テキスト'), { wordCount: 2, length: 7 });
    assert.deepEqual(analyse('Привет мир'), { wordCount: 2, length: 9 });
    assert.deepEqual(
      analyse('\u{20000}\u{20001}'),
      { wordCount: 1, length: 2 },
      'astral ideographs are letters',
    );
  });

  test('emoji are neither letters nor digits', () => {
    assert.deepEqual(analyse('I ❤️ 🍕'), { wordCount: 1, length: 1 });
    assert.deepEqual(analyse('hi🎉 👍🏽'), { wordCount: 1, length: 2 });
    assert.deepEqual(analyse('👨‍👩‍👧'), { wordCount: 0, length: 0 });
  });

  test('apostrophes and dashes join a word and do not count', () => {
    assert.deepEqual(analyse("don't l’homme rock'n'roll"), { wordCount: 3, length: 4 + 6 + 9 });
    assert.deepEqual(analyse('co-op well—known'), { wordCount: 2, length: 4 + 9 });
    assert.deepEqual(analyse('- — – --'), { wordCount: 0, length: 0 });
  });

  test('digits of any script are counted, tokens with no letter or digit are not words', () => {
    assert.deepEqual(analyse('2026 ½ ٣ x²'), { wordCount: 4, length: 4 + 1 + 1 + 2 });
    assert.deepEqual(analyse('... ?? 🎉🎉 $ %% ©'), { wordCount: 0, length: 0 });
    assert.deepEqual(analyse('...a...'), { wordCount: 1, length: 1 });
  });

  test('White_Space is the Unicode property, not JavaScript’s \\s', () => {
    // The characters on which the two disagree.
    assert.equal(/\s/.test('\u0085'), false);
    assert.equal(/\s/.test('\ufeff'), true);
    assert.deepEqual(analyse('a\u0085b'), { wordCount: 2, length: 2 }, 'U+0085 splits');
    assert.deepEqual(analyse('a\ufeffb'), { wordCount: 1, length: 2 }, 'U+FEFF does not split');
    assert.deepEqual(analyse('a\u180eb'), { wordCount: 1, length: 2 }, 'U+180E does not split');
    assert.deepEqual(analyse('a\u200bb'), { wordCount: 1, length: 2 }, 'U+200B does not split');
    for (const ws of [
      '\t',
      '\n',
      '\u000b',
      '\u000c',
      '\r',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u200a',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
    ]) {
      assert.deepEqual(
        analyse(`a${ws}b`),
        { wordCount: 2, length: 2 },
        `U+${ws.codePointAt(0)?.toString(16)} splits`,
      );
    }
    assert.deepEqual(analyse('  a  \n\n b  '), { wordCount: 2, length: 2 });
  });

  test('isWhiteSpace and isLetterOrDigit agree with the Unicode properties on every code point', () => {
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      assert.equal(isWhiteSpace(c), /\p{White_Space}/u.test(s), `U+${c.toString(16)}`);
      if (c < 0x10000 || c % 7 === 0)
        assert.equal(isLetterOrDigit(c), /[\p{L}\p{N}]/u.test(s), `U+${c.toString(16)}`);
    }
  });

  test('equals the definition on arbitrary texts (property)', () => {
    fc.assert(
      fc.property(contentArb, (s) => {
        assert.deepEqual(analyse(s), byDefinition(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EDGE_CHARS, 'a', '9'), { maxLength: 30 }), (cs) => {
        const s = cs.join('');
        assert.deepEqual(analyse(s), byDefinition(s));
      }),
      { numRuns: 3000 },
    );
  });
});
