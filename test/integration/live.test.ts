// Live updates through the embedded runtime (SPEC 13): a WebSocket client on `ws://…/live` subscribed
// to `pipeline` and to a user gets, for every committed batch, exactly one message per topic, and the
// figures in them are what the REST routes answer once the batch is in. The push is the runtime's
// (after each processor invocation, from the digest the processor committed), not the processor's.
// With tokens on, a handshake without a token is refused (401), one with a token lacking `read` too
// (403), and one with a read token is accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { FEED_FAMILIES, generateMixedEvents } from '../../domain/family-generator';
import { generateEvents } from '../../domain/generator';
import type { LocalRuntime } from '../../local/runtime';
import type { Io } from '../../scripts/cli-args';
import { tokenMain } from '../../scripts/token';
import { makeDynamoClient } from '../../storage/clients';
import { pastStateCache, startTestRuntime } from '../support/runtime';

interface Message {
  topic: string;
  sequenceNumber: string;
  data: Record<string, unknown>;
}

/** A subscribed client that keeps every message it got, and can wait until the server caught up. */
class Client {
  readonly messages: Message[] = [];
  private acks: ((v: unknown) => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as Record<string, unknown>;
      if ('topic' in m) this.messages.push(m as unknown as Message);
      else this.acks.shift()?.(m);
    });
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  /** Sends a subscribe request and answers the server's reply to it. */
  request(body: unknown): Promise<unknown> {
    const p = new Promise((resolve) => this.acks.push(resolve));
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  }

  /**
   * A round trip behind everything the server sent so far: once its answer is here, so is every
   * message the server had sent before it (one ordered connection).
   */
  sync(): Promise<unknown> {
    return this.request({ action: 'subscribe', topics: ['pipeline'] });
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status a refused handshake got (or 101 when it opened). */
function handshake(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;

before(async () => {
  rt = await startTestRuntime();
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
});
after(async () => {
  doc?.destroy();
  await rt?.stop();
});

async function get(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${rt.apiUrl}${path}`);
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
}

const PROFILE_KEYS = [
  'name',
  'registeredAt',
  'referredBy',
  'friendsCount',
  'referralsCount',
  'networkStrength',
  'referralPoints',
];
const PIPELINE_KEYS = [
  'applied',
  'noop',
  'rejected',
  'rejectedByReason',
  'lastSequenceNumber',
  'lastEventAt',
];

const settle = pastStateCache;

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

describe('live updates on ws://…/live', () => {
  it('answers a subscribe request, and refuses a bad one naming what is wrong', async () => {
    const c = await Client.open(rt.liveUrl);
    try {
      assert.deepEqual(await c.request({ action: 'subscribe', topics: ['pipeline', 'user:user00001'] }), {
        subscribed: ['pipeline', 'user:user00001'],
      });
      const bad = (await c.request({ action: 'subscribe', topics: ['weather'] })) as {
        error: { code: string; message: string };
      };
      assert.equal(bad.error.code, 'bad_request');
      assert.match(bad.error.message, /weather/);
      const notJson = (await c.request('hello')) as { error: { code: string } };
      assert.equal(notJson.error.code, 'bad_request');
    } finally {
      c.close();
    }
  });

  it('pushes each committed batch once per topic, with the figures the REST routes answer', async () => {
    const user = 'user00001';
    const events = generateEvents({ users: 60, batches: 5, seed: 17 });
    const c = await Client.open(rt.liveUrl);
    try {
      await c.request({ action: 'subscribe', topics: ['pipeline', `user:${user}`] });
      await settle();
      const before = (await get('/meta/pipeline')).batches as number;
      const parts = 5;
      const size = Math.ceil(events.length / parts);
      let lastProfile: Record<string, unknown> | null = null;
      let userMessagesChecked = 0;
      for (let i = 0; i < parts; i++) {
        const chunk = events.slice(i * size, (i + 1) * size);
        // Each part touches the user: a friendship with someone registered in the first part, made or
        // (the next time) ended again.
        chunk.push({
          type: i % 2 === 0 ? 'addfriend' : 'unfriend',
          user1_name: user,
          user2_name: 'user00002',
          created_at: (chunk.at(-1) as { created_at: string }).created_at,
        });
        const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(chunk) });
        assert.equal(res.status, 202);
        await rt.drain();
        await c.sync();
        // Past the REST readers' state cache (an answer may trail a commit by up to STATE_TTL_MS).
        await settle();

        const pipeline = await get('/meta/pipeline');
        const profile = pick(await get(`/users/${user}`), PROFILE_KEYS);
        const last = c.messages.filter((m) => m.topic === 'pipeline').at(-1);
        assert.ok(last, `a pipeline message after part ${i}`);
        assert.equal(last.sequenceNumber, pipeline.lastSequenceNumber);
        assert.deepEqual(pick(last.data, PIPELINE_KEYS), pick(pipeline, PIPELINE_KEYS));
        assert.equal(typeof last.data.checkpoint, 'string');
        if (lastProfile === null || JSON.stringify(lastProfile) !== JSON.stringify(profile)) {
          const u = c.messages.filter((m) => m.topic === `user:${user}`).at(-1);
          assert.ok(u, `a user message after part ${i}`);
          assert.equal(u.sequenceNumber, pipeline.lastSequenceNumber);
          assert.deepEqual(u.data, profile);
          userMessagesChecked++;
        }
        lastProfile = profile;
      }
      assert.ok(userMessagesChecked >= parts - 1, `the user changed in every part (${userMessagesChecked})`);

      // One pipeline message per committed batch, and at most one message per topic per batch.
      const batches = ((await get('/meta/pipeline')).batches as number) - before;
      const pipelineMessages = c.messages.filter((m) => m.topic === 'pipeline');
      assert.equal(pipelineMessages.length, batches);
      const seen = new Set<string>();
      for (const m of c.messages) {
        const key = `${m.topic} ${m.sequenceNumber}`;
        assert.ok(!seen.has(key), `two messages for ${key}`);
        seen.add(key);
      }
      // Nothing subscribed to is left out, nothing else is sent.
      assert.deepEqual(new Set(c.messages.map((m) => m.topic)), new Set(['pipeline', `user:${user}`]));
    } finally {
      c.close();
    }
  });

  it('pushes the all-time figures of a product and the new posts, as GET /products/{id} and /posts/{id} answer', async () => {
    const events = generateMixedEvents({ users: 40, batches: 3, seed: 5, families: FEED_FAMILIES });
    const sold = events.find((e) => (e as { type?: string }).type === 'productSold') as {
      product_id: number;
    };
    assert.ok(sold, 'the stream sells a product');
    const product = `product:${sold.product_id}`;
    const c = await Client.open(rt.liveUrl);
    try {
      await c.request({ action: 'subscribe', topics: [product, 'posts'] });
      const parts = 3;
      const size = Math.ceil(events.length / parts);
      let productChecks = 0;
      let postsChecked = 0;
      for (let i = 0; i < parts; i++) {
        const res = await fetch(`${rt.apiUrl}/events`, {
          method: 'POST',
          body: JSON.stringify(events.slice(i * size, (i + 1) * size)),
        });
        assert.equal(res.status, 202);
        const seen = c.messages.length;
        await rt.drain();
        await c.sync();
        await settle();
        const fresh = c.messages.slice(seen);
        const p = fresh.filter((m) => m.topic === product).at(-1);
        if (p !== undefined) {
          assert.deepEqual(p.data, await get(`/products/${sold.product_id}`));
          productChecks++;
        }
        for (const m of fresh.filter((x) => x.topic === 'posts')) {
          const data = m.data as { total: number; posts: Record<string, unknown>[] };
          assert.equal(data.posts.length, data.total);
          for (const post of data.posts) {
            const { content: _content, ...analysis } = await get(`/posts/${String(post.postId)}`);
            assert.deepEqual(post, analysis);
            postsChecked++;
          }
        }
      }
      assert.ok(productChecks > 0, 'the product changed in some batch');
      assert.ok(postsChecked > 0, 'some batch carried new posts');
      const keys = c.messages.map((m) => `${m.topic} ${m.sequenceNumber}`);
      assert.equal(new Set(keys).size, keys.length, 'at most one message per topic per batch');
    } finally {
      c.close();
    }
  });

  it('with tokens on: refuses a handshake without a token or without read, accepts a read token', async () => {
    const token = async (...argv: string[]): Promise<string> => {
      let out = '';
      const io: Io = {
        stdout: {
          write: (s: string | Uint8Array) => {
            out += String(s);
            return true;
          },
        },
        stderr: { write: () => true },
        env: {},
      };
      await tokenMain([...argv, '--endpoint', rt.endpoints.dynamodb, '--table', rt.tables.meta], io, { doc });
      return out.trim();
    };
    const reader = await token('create', '--name', 'live-reader', '--abilities', 'read');
    const ingester = await token('create', '--name', 'live-ingester', '--abilities', 'ingest');
    await rt.setAuth({ cacheSeconds: 0 });
    try {
      assert.equal(await handshake(rt.liveUrl), 401);
      assert.equal(await handshake(`${rt.liveUrl}?token=bfa_not-a-token`), 401);
      assert.equal(await handshake(`${rt.liveUrl}?token=${ingester}`), 403);
      assert.equal(await handshake(`${rt.liveUrl}?token=${reader}`), 101);
      await token('revoke', 'live-reader');
      assert.equal(await handshake(`${rt.liveUrl}?token=${reader}`), 401);
    } finally {
      await rt.setAuth(false);
    }
    assert.equal(await handshake(rt.liveUrl), 101);
  });
});
