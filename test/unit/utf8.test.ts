// domain/utf8.ts: where a body stops being UTF-8, and text of invalid bytes that keeps every byte apart.
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeEscapingInvalid, firstInvalidUtf8, wellFormed } from '../../domain/utf8';

describe('strict UTF-8', () => {
  test('firstInvalidUtf8 agrees with isUtf8 and points at the first bad byte', () => {
    assert.equal(firstInvalidUtf8(Buffer.from('héllo 😀', 'utf8')), -1);
    assert.equal(firstInvalidUtf8(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])), 3);
    assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80])), 1);
    assert.equal(firstInvalidUtf8(Buffer.from([0xc3])), 0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        assert.equal(at === -1, isUtf8(bytes));
        if (at >= 0) assert.ok(isUtf8(bytes.subarray(0, at)));
      }),
      { numRuns: 3000 },
    );
  });

  test('decodeEscapingInvalid: valid text as it is, each bad byte as its own lone surrogate', () => {
    assert.equal(decodeEscapingInvalid(Buffer.from('héllo 😀')), 'héllo 😀');
    assert.equal(decodeEscapingInvalid(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])), 'Jos\udce9');
    assert.notEqual(
      decodeEscapingInvalid(Buffer.from([0x4a, 0xe9])),
      decodeEscapingInvalid(Buffer.from([0x4a, 0xe8])),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const s = decodeEscapingInvalid(bytes);
        assert.equal(wellFormed(s), isUtf8(bytes));
        if (isUtf8(bytes)) assert.equal(s, Buffer.from(bytes).toString('utf8'));
      }),
      { numRuns: 3000 },
    );
  });

  test('wellFormed looks at every string of a value, keys included', () => {
    assert.ok(wellFormed({ a: ['x', { b: '😀' }], n: 1, z: null }));
    assert.ok(!wellFormed({ a: ['x', { b: '\ud800' }] }));
    assert.ok(!wellFormed({ '\udc00': 1 }));
  });
});
