// The embedded runtime end to end, on ephemeral ports with the generator off: events POSTed to /events
// go into the stream, the real processor folds them through the local event source mapping, and the real API
// handlers answer through the local API Gateway. Also the gateway's own answers and the log files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_POST_BYTES } from '../../lib/definitions';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';

const at = '20250718T205354320Z';
const EVENTS = [
  { type: 'register', name: 'alice', created_at: at },
  { type: 'register', name: 'bob', created_at: at },
  { type: 'register', name: 'carol', created_at: at },
  { type: 'addfriend', user1_name: 'alice', user2_name: 'bob', created_at: at },
  { type: 'addfriend', user1_name: 'bob', user2_name: 'alice', created_at: at }, // noop: already friends
  { type: 'referral', referredBy: 'alice', user: 'carol', created_at: at },
  { type: 'unfriend', user1_name: 'alice', user2_name: 'dave', created_at: at }, // rejected: unknown_user
  { type: 'register', name: 'bob', created_at: at }, // rejected: duplicate_register
];

let rt: LocalRuntime;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bacefook-runtime-'));
  rt = await startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    dataDir,
    generator: false,
    quiet: true,
  });
});

after(async () => {
  await rt?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

describe('local runtime', () => {
  it('folds events POSTed to /events and answers GET /health and GET /meta/pipeline', async () => {
    const posted = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(EVENTS),
    });
    assert.equal(posted.status, 202);
    assert.deepEqual(await posted.json(), { accepted: EVENTS.length });
    await rt.drain();

    const health = await fetch(`${rt.apiUrl}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const res = await fetch(`${rt.apiUrl}/meta/pipeline`);
    assert.equal(res.status, 200);
    const p = (await res.json()) as {
      applied: number;
      noop: number;
      rejected: number;
      rejectedByReason: Record<string, number>;
      lastSequenceNumber: string | null;
    };
    assert.equal(p.applied + p.noop + p.rejected, EVENTS.length, 'every event has exactly one outcome');
    assert.deepEqual(
      { applied: p.applied, noop: p.noop, rejected: p.rejected },
      { applied: 5, noop: 1, rejected: 2 },
    );
    assert.equal(p.rejectedByReason.unknown_user, 1);
    assert.equal(p.rejectedByReason.duplicate_register, 1);
    assert.equal(p.lastSequenceNumber, rt.stats().eventSourceMapping.checkpoint);
    assert.deepEqual(await rt.pipeline(), p);

    const s = rt.stats();
    assert.ok(s.eventSourceMapping.records >= 1);
    assert.equal(s.eventSourceMapping.failures, 0);
  });

  it('answers an unknown route 404, a wrong method 405 and a body over the limit 413, in the error shape', async () => {
    const unknown = await fetch(`${rt.apiUrl}/no/such/route`);
    assert.equal(unknown.status, 404);
    assert.equal((await errorOf(unknown)).code, 'not_found');

    const wrong = await fetch(`${rt.apiUrl}/health`, { method: 'POST', body: '{}' });
    assert.equal(wrong.status, 405);
    assert.equal((await errorOf(wrong)).code, 'method_not_allowed');

    const big = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: Buffer.alloc(MAX_POST_BYTES + 1, 0x20),
    });
    assert.equal(big.status, 413);
    assert.equal((await errorOf(big)).code, 'payload_too_large');
  });

  it('writes each function its own JSON-lines log file, and the access log to runtime.log', async () => {
    await rt.stop(); // flushes the files
    const lines = (file: string) =>
      readFileSync(join(rt.logDir, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rt.logDir, join(dataDir, 'logs'));
    assert.ok(existsSync(join(rt.logDir, 'Processor.log')));
    assert.ok(lines('Processor.log').some((l) => l.function_name === 'bacefook-Processor'));
    for (const id of ['Snapshot', 'ApiHealth', 'ApiMetaPipeline', 'ApiPostEvents']) {
      assert.ok(existsSync(join(rt.logDir, `${id}.log`)), id);
    }
    const access = lines('runtime.log').filter(
      (l) => l.component === 'api-gateway' && l.message === 'request',
    );
    assert.ok(access.some((l) => l.path === '/health' && l.status === 200 && l.resource === '/health'));
    assert.ok(access.some((l) => l.path === '/no/such/route' && l.status === 404));
  });
});
