// Answers a client can cache (SPEC 13): every GET route of ROUTES, through the local API Gateway and the
// real handlers, answers with an ETag and `Cache-Control: no-cache`, and a request whose If-None-Match
// names it (alone, in a list, weak, or `*`) gets a 304 with no body. The tag stays while nothing is
// committed, and changes exactly when a committed batch or a snapshot run changes the answer; the old
// tag then gets the new answer. Error answers carry no tag. The requests are the examples of
// docs/api.md (scripts/api-examples.ts), so a new route is covered as soon as it is documented.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUCKET_MS } from '../../domain/time';
import { ROUTES } from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { ROUTE_DOCS } from '../../queries/openapi';
import { API_EXAMPLES, EXAMPLE_EVENTS } from '../../scripts/api-examples';
import { pastStateCache, startTestRuntime } from '../support/runtime';

const GETS = ROUTES.filter((r) => r.method === 'GET');

interface Answer {
  status: number;
  etag: string | null;
  cacheControl: string | null;
  expose: string | null;
  text: string;
}

/** Every GET example request, with the status its example expects. */
const REQUESTS = GETS.flatMap((r) =>
  API_EXAMPLES[r.id].examples.map((ex) => ({
    id: r.id,
    request: ex.request,
    headers: ex.headers ?? {},
    status: ex.status ?? ROUTE_DOCS[r.id].status ?? 200,
  })),
);
const OK = REQUESTS.filter((q) => q.status === 200);

/**
 * A second batch that touches what the examples ask about: the same stream again with new post ids
 * (more posts by the same writers), so sales, ratings, interactions, friendships and posts move.
 */
const MORE_EVENTS = EXAMPLE_EVENTS.map((e) => ('post_id' in e ? { ...e, post_id: `${e.post_id}-again` } : e))
  .map((e) => JSON.stringify(e))
  .join('\n');

describe('conditional GETs: ETag, no-cache and 304 on every GET route', () => {
  let rt: LocalRuntime;

  async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(rt.apiUrl + path, { headers });
    return {
      status: res.status,
      etag: res.headers.get('etag'),
      cacheControl: res.headers.get('cache-control'),
      expose: res.headers.get('access-control-expose-headers'),
      text: await res.text(),
    };
  }

  async function post(body: string): Promise<void> {
    const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body });
    assert.equal(res.status, 202, await res.text());
    await rt.drain();
    await settle();
  }

  /** Past the readers' state cache: an answer may trail a change by up to STATE_TTL_MS. */
  const settle = pastStateCache;

  /**
   * Runs `fn` until it starts and ends in one 5-second bucket of now. An answer without `to` ends at
   * now ceiled to its bucket (the examples mark that field as varying), so it legitimately changes,
   * tag and all, when the clock crosses a bucket edge; the claims about unchanged tags hold within one.
   */
  async function inOneBucket<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const bucket = Math.floor(Date.now() / BUCKET_MS);
      const crossed = (): boolean => Math.floor(Date.now() / BUCKET_MS) !== bucket && attempt < 5;
      try {
        const out = await fn();
        if (!crossed()) return out;
      } catch (err) {
        if (!crossed()) throw err;
      }
    }
  }

  /** Every 200 example's answer, by request. */
  async function all(): Promise<Map<string, Answer>> {
    const out = new Map<string, Answer>();
    for (const q of OK) out.set(q.request, await get(q.request, q.headers));
    return out;
  }

  /**
   * After a change: a request's tag is the same exactly when its answer is, and the tag it had before
   * gets the new answer (200) where the answer changed. Returns the requests whose answer changed.
   */
  async function compare(before: Map<string, Answer>, now: Map<string, Answer>): Promise<string[]> {
    const changed: string[] = [];
    for (const q of OK) {
      const was = before.get(q.request) as Answer;
      const is = now.get(q.request) as Answer;
      assert.equal(is.status, 200, q.request);
      if (is.text === was.text) {
        assert.equal(is.etag, was.etag, `${q.request}: the same answer under another tag`);
        continue;
      }
      changed.push(q.request);
      assert.notEqual(is.etag, was.etag, `${q.request}: a new answer under the old tag`);
      const revalidated = await get(q.request, { ...q.headers, 'If-None-Match': was.etag as string });
      assert.equal(revalidated.status, 200, `${q.request}: the old tag still got a 304`);
      assert.equal(revalidated.text, is.text, q.request);
      assert.equal(revalidated.etag, is.etag, q.request);
    }
    return changed;
  }

  before(async () => {
    rt = await startTestRuntime();
    await post(EXAMPLE_EVENTS.map((e) => JSON.stringify(e)).join('\n'));
    await rt.snapshotNow();
    await settle();
  });
  after(async () => {
    await rt?.stop();
  });

  it('every GET route has a 200 example to ask with', () => {
    for (const r of GETS) {
      assert.ok(
        OK.some((q) => q.id === r.id),
        `${r.method} ${r.path}: no example answering 200`,
      );
    }
  });

  it('the CORS preflight of a GET route allows If-None-Match', async () => {
    const res = await fetch(`${rt.apiUrl}/health`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dashboard.example', 'access-control-request-headers': 'if-none-match' },
    });
    assert.equal(res.status, 204);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /\bIf-None-Match\b/i);
  });

  for (const r of GETS) {
    it(`${r.method} ${r.path}: an ETag, no-cache, and a 304 with no body for it`, async () => {
      for (const q of OK.filter((x) => x.id === r.id)) await inOneBucket(() => checkTag(q));
      for (const q of REQUESTS.filter((x) => x.id === r.id && x.status !== 200)) {
        // An error answer has no tag, and a conditional request does not turn it into a 304.
        const err = await get(q.request, { ...q.headers, 'If-None-Match': '*' });
        assert.equal(err.status, q.status, q.request);
        assert.equal(err.etag, null, `${q.request}: an error answer with an ETag`);
        assert.notEqual(err.text, '', q.request);
      }
    });
  }

  async function checkTag(q: (typeof OK)[number]): Promise<void> {
    const first = await get(q.request, q.headers);
    assert.equal(first.status, 200, q.request);
    assert.match(first.etag ?? '', /^"[^",]+"$/, `${q.request}: no strong ETag`);
    const etag = first.etag as string;
    assert.equal(first.cacheControl, 'no-cache', q.request);
    assert.match(first.expose ?? '', /\betag\b/i, `${q.request}: CORS does not expose the ETag`);

    // Nothing committed: the same answer under the same tag.
    const again = await get(q.request, q.headers);
    assert.equal(again.etag, etag, `${q.request}: the tag moved while nothing was committed`);
    assert.equal(again.text, first.text, q.request);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"not-it", ${etag}`, `W/"not-it",W/${etag}`, '*']) {
      const hit = await get(q.request, { ...q.headers, 'If-None-Match': ifNoneMatch });
      assert.equal(hit.status, 304, `${q.request} If-None-Match: ${ifNoneMatch}`);
      assert.equal(hit.text, '', `${q.request}: a 304 with a body`);
      assert.equal(hit.etag, etag, `${q.request}: a 304 without its tag`);
      assert.equal(hit.cacheControl, 'no-cache', q.request);
    }
    for (const ifNoneMatch of ['"not-it"', `"${etag.slice(1, -2)}"`, 'W/"not-it", "other"']) {
      const miss = await get(q.request, { ...q.headers, 'If-None-Match': ifNoneMatch });
      assert.equal(miss.status, 200, `${q.request} If-None-Match: ${ifNoneMatch}`);
      assert.equal(miss.text, first.text, q.request);
      assert.equal(miss.etag, etag, q.request);
    }
  }

  it('a tag changes exactly when a committed batch or a snapshot run changes the answer', async () => {
    // Nothing committed between two rounds: every tag as it was.
    const [start, again] = await inOneBucket(async () => [await all(), await all()] as const);
    assert.deepEqual(await compare(start, again), [], 'answers changed with nothing committed');

    await post(MORE_EVENTS);
    const afterBatch = await all();
    const byBatch = await compare(start, afterBatch);
    assert.ok(byBatch.length > 0, 'the batch changed no answer: the test shows nothing');

    await rt.snapshotNow();
    await settle();
    const afterSnapshot = await all();
    const bySnapshot = await compare(afterBatch, afterSnapshot);
    assert.ok(
      bySnapshot.some((p) => p.startsWith('/meta/snapshots')),
      'the snapshot run changed no answer: the test shows nothing',
    );
    // Figures answered from the journal tail before the run are answered from the blocks after it,
    // and are the same: their tags stay (the client keeps its copy).
    assert.ok(bySnapshot.length < OK.length, 'a snapshot run changed every answer');
  });
});
