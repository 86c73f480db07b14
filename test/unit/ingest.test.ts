import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../queries/errors';
import { parseEventsBody } from '../../queries/ingest';

const ev = (n: string) => ({ type: 'register', name: n, created_at: '20250101T000000Z' });

describe('POST /events body', () => {
  it('takes a JSON array in order', () => {
    assert.deepEqual(parseEventsBody(JSON.stringify([ev('a'), ev('b'), 3])), [ev('a'), ev('b'), 3]);
  });
  it('takes NDJSON, forwarding unreadable lines as raw text (they end as malformed)', () => {
    const body = `${JSON.stringify(ev('a'))}\n{oops\n\n${JSON.stringify(ev('b'))}\r\n`;
    assert.deepEqual(parseEventsBody(body), [ev('a'), '{oops', ev('b')]);
  });
  it('takes a single JSON object as one-line NDJSON, and tolerates a BOM', () => {
    assert.deepEqual(parseEventsBody(`\ufeff${JSON.stringify(ev('a'))}`), [ev('a')]);
  });
  for (const [what, body] of [
    ['empty', ''],
    ['blank', '  \n \n'],
    ['a JSON number', '42'],
    ['a JSON string', '"register"'],
    ['JSON null', 'null'],
    ['plain text', 'hello world'],
    ['lines of garbage', 'a\nb\nc'],
  ]) {
    it(`refuses a body that is ${what} with a 400 that says why`, () => {
      assert.throws(
        () => parseEventsBody(body),
        (e: unknown) =>
          e instanceof BadRequestError &&
          e.status === 400 &&
          /JSON array of events or NDJSON/.test(e.message),
      );
    });
  }
});
