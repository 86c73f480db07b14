// The analysis of a post's content (SPEC 12): words and their lengths.
//
// - Content is split into tokens at the characters of the Unicode White_Space property: U+0009–U+000D,
//   U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. That is not
//   JavaScript's `\s`, which leaves out U+0085 and adds U+FEFF (neither is U+180E, which Unicode took
//   out of White_Space in 6.3).
// - A token is a word when it holds at least one letter or digit (general categories L* and N*); its
//   length is the number of its letters and digits (code points): marks, punctuation and symbols do not
//   count, so `café` is 4 whether its é is one code point or e + U+0301, `It's` is 3, `co-op` 4.
// - wordCount is the number of words, `length` the sum of their lengths; the average word length is
//   length / wordCount, null when there is no word.
//
// One pass over the UTF-16 units with no allocation: ASCII decides by ranges, other BMP units by a table
// filled lazily from `\p{L}|\p{N}`, astral code points by the regex itself (they are rare).

export interface Analysis {
  wordCount: number;
  /** total length of the words (letters and digits) */
  length: number;
}

/** Whether a code point has the White_Space property (the list above). */
export function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** per BMP unit: 0 not known yet, 1 letter or digit, 2 neither */
const bmp = new Uint8Array(0x10000);

/** Whether a code point is a letter or a digit (\p{L}, \p{N}). */
export function isLetterOrDigit(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
  if (c < 0x10000) {
    let k = bmp[c];
    if (k === 0) {
      // A lone surrogate is neither (the event schema refuses them anyway).
      k = c >= 0xd800 && c <= 0xdfff ? 2 : LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 1 : 2;
      bmp[c] = k;
    }
    return k === 1;
  }
  return LETTER_OR_DIGIT.test(String.fromCodePoint(c));
}

/** The words of `content` and their total length. */
export function analyse(content: string): Analysis {
  let wordCount = 0;
  let length = 0;
  /** letters and digits in the token under way */
  let inToken = 0;
  const n = content.length;
  for (let i = 0; i < n; i++) {
    let c = content.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = content.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (isWhiteSpace(c)) {
      if (inToken > 0) {
        wordCount++;
        length += inToken;
        inToken = 0;
      }
    } else if (isLetterOrDigit(c)) inToken++;
  }
  if (inToken > 0) {
    wordCount++;
    length += inToken;
  }
  return { wordCount, length };
}

/** The average word length: total length over the word count, unrounded; null for no words. */
export function averageWordLength(a: Analysis): number | null {
  return a.wordCount === 0 ? null : a.length / a.wordCount;
}
