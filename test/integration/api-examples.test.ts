// The examples of docs/api.md (scripts/api-examples.ts) are real answers: this test posts the examples'
// stream to a fresh local runtime, runs a snapshot, sends every example request through the local API
// Gateway, and compares each answer with the documented one (fields the example marks as `varies`
// only by type, a `partial` answer as a part of the real one).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROUTES } from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { ROUTE_DOCS } from '../../queries/openapi';
import { API_EXAMPLES, type ApiExample } from '../../scripts/api-examples';
import { startTestRuntime } from '../support/runtime';

type Json = unknown;

/** Copies into `doc` the real values at `path` (`a`, `a[].b`) when they have the documented type. */
function takeVarying(doc: Json, real: Json, path: string[]): Json {
  if (path.length === 0) {
    assert.equal(typeof real, typeof doc, 'a varying field changed its type');
    return real;
  }
  const [head, ...rest] = path;
  if (head.endsWith('[]')) {
    const key = head.slice(0, -2);
    const d = (doc as Record<string, Json[]>)[key];
    const r = (real as Record<string, Json[]>)[key];
    assert.ok(Array.isArray(d) && Array.isArray(r) && d.length === r.length, `${key}: not the same list`);
    return { ...(doc as object), [key]: d.map((x, i) => takeVarying(x, r[i], rest)) };
  }
  const d = (doc as Record<string, Json>)[head];
  const r = (real as Record<string, Json>)[head];
  return { ...(doc as object), [head]: takeVarying(d, r, rest) };
}

/** Whether `part` is `whole` with some object keys left out, and some array items at the end. */
function holds(whole: Json, part: Json): boolean {
  if (Array.isArray(part)) {
    return Array.isArray(whole) && part.length <= whole.length && part.every((p, i) => holds(whole[i], p));
  }
  if (part === null || typeof part !== 'object') return JSON.stringify(whole) === JSON.stringify(part);
  if (whole === null || typeof whole !== 'object') return false;
  return Object.entries(part).every(([k, v]) => holds((whole as Record<string, Json>)[k], v));
}

describe('the examples of docs/api.md', () => {
  let rt: LocalRuntime;

  async function send(method: string, ex: ApiExample): Promise<{ status: number; body: Json }> {
    const res = await fetch(rt.apiUrl + ex.request, { method, body: ex.body, headers: ex.headers });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }

  before(async () => {
    rt = await startTestRuntime();
  });
  after(async () => {
    await rt?.stop();
  });

  // POST /events first: its first example posts the stream every other example answers from. The
  // catalogue writes (routes that write into the stream) last, so that no read example sees them.
  const rank = (r: (typeof ROUTES)[number]) => (r.id === 'PostEvents' ? 0 : r.fn.stream === 'write' ? 2 : 1);
  const ordered = [...ROUTES].sort((a, b) => rank(a) - rank(b));
  for (const route of ordered) {
    it(`${route.method} ${route.path} answers as documented`, async () => {
      for (const ex of API_EXAMPLES[route.id].examples) {
        const where = `${route.id} example ${ex.title ?? ex.request}`;
        const real = await send(route.method, ex);
        if (route.method === 'POST') {
          await rt.drain();
          await rt.snapshotNow();
        }
        assert.equal(real.status, ex.status ?? ROUTE_DOCS[route.id].status ?? 200, where);
        if (ex.partial) {
          assert.ok(holds(real.body, ex.answer), `${where}: the real answer does not hold the example`);
          continue;
        }
        let expected = ex.answer;
        for (const path of ex.varies ?? []) expected = takeVarying(expected, real.body, path.split('.'));
        assert.deepEqual(real.body, expected, where);
      }
    });
  }
});
