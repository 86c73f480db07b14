// Measurement, not a test (run: npx tsx test/integration/analytics-scale.measure.ts): leaderboards
// over a 100,000-user graph through the real handler, cold (empty process cache: what a fresh Lambda
// container pays) and cached. The rollups come from synthetic journals (as the processor writes them)
// folded by the real snapshot builder, so the measurement covers the real storage layout on dynalite.
// Each cold figure is the median of REPEAT calls, each after dropping every cache of the reader.
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mulberry32, userName } from '../../domain/generator';
import { position } from '../../domain/position';
import { BUCKET_MS, toIso } from '../../domain/time';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import { ENV } from '../../lib/definitions';
import { batchWrite } from '../../storage/batch-io';
import { emptyPipelineState, PipelineStore } from '../../storage/pipeline-store';
import { startDynamo } from '../support/dynamo';

const USERS = Number(process.env.USERS ?? 100_000);
const BUCKETS = Number(process.env.BUCKETS ?? 180);
const PER_BUCKET = Number(process.env.PER_BUCKET ?? 20_000);
const REPEAT = Number(process.env.REPEAT ?? 5);
const START = Date.UTC(2025, 6, 18, 20, 53, 50);

const dyn = await startDynamo();
process.env[ENV.graphTable] = dyn.tables.graph;
process.env[ENV.historyTable] = dyn.tables.history;
process.env[ENV.metaTable] = dyn.tables.meta;
process.env[ENV.dynamodbEndpoint] = dyn.endpoint;
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const rand = mulberry32(42);
const pipeline = new PipelineStore(dyn.doc, dyn.tables);
let seq = 49_000_000_000_000_000_000n;
let last = '';

async function writeJournal(bucket: number, users: number[], first: boolean): Promise<void> {
  seq += 1n;
  const pos = position(seq.toString(), 0);
  const deltas: (string | number)[] = [];
  for (const u of users) {
    const s = first ? 1 + Math.floor(rand() * 200) : Math.floor(rand() * 5) - 2;
    const p = rand() < 0.2 ? 1 + Math.floor(rand() * 2) : 0;
    if (s !== 0 || p !== 0) deltas.push(bucket, userName(u + 1), s, p);
  }
  await batchWrite(
    dyn.doc,
    dyn.tables.history,
    pipeline.journalWrites({ first: pos, last: pos, sets: { social: deltas } }),
  );
  last = pos;
}

let t = performance.now();
const all = Array.from({ length: USERS }, (_, i) => i);
await writeJournal(START, all, true);
for (let b = 1; b < BUCKETS; b++) {
  const picks = new Set<number>();
  while (picks.size < PER_BUCKET) picks.add(Math.floor(rand() * USERS));
  await writeJournal(START + b * BUCKET_MS, [...picks], false);
}
await pipeline.writeState({ ...emptyPipelineState(), checkpoint: last, counters: { users: USERS } });
console.log(`journals written: ${BUCKETS} (${((performance.now() - t) / 1000).toFixed(1)} s)`);

t = performance.now();
const builder = new SnapshotBuilder({ doc: dyn.doc, tables: dyn.tables });
const built = await builder.runUntilCaughtUp();
console.log(
  `snapshot: ${built.journals} journals, ${built.deltas} deltas, ${built.blocksWritten} blocks written (${((performance.now() - t) / 1000).toFixed(1)} s)`,
);

if (process.env.PROFILE) {
  const { ReadStore } = await import('../../storage/read-store');
  const { blocksFor } = await import('../../queries/range');
  const { rollupPk, totalPk } = await import('../../storage/rollup-store');
  const TOTAL_PK = totalPk('social');
  const store = new ReadStore(dyn.doc, dyn.tables);
  const snap = await store.snapshotState();
  const pks = blocksFor({ from: null, to: Date.now() }, snap.earliest, snap.latest).map((b) =>
    rollupPk('social', b.levelMs, b.start),
  );
  let t1 = performance.now();
  const heads = await store.rollups.readHeads(pks, true);
  console.log(
    `profile: ${pks.length} blocks tiling all the data; head versions ${(performance.now() - t1).toFixed(0)} ms (${heads.size})`,
  );
  t1 = performance.now();
  const blocks = await store.rollups.readBlocks(pks);
  let entries = 0;
  let bytes = 0;
  let chunked = 0;
  for (const b of blocks.values()) {
    entries += b.head.c;
    if (b.head.n === 1) bytes += b.head.z?.length ?? 0;
    else chunked++;
  }
  console.log(
    `profile: read+decode those blocks ${(performance.now() - t1).toFixed(0)} ms, ${entries} entries, ${bytes} bytes in single-item blocks (+${chunked} chunked)`,
  );
  t1 = performance.now();
  const total = await store.rollups.readBlocks([TOTAL_PK]);
  const head = total.get(TOTAL_PK)?.head;
  console.log(
    `profile: read+decode the total block ${(performance.now() - t1).toFixed(0)} ms, ${head?.c} entries, ${head?.n === 1 ? `${head.z?.length} bytes` : `${head?.n} chunks`}`,
  );
  t1 = performance.now();
  const names = await store.rollups.readNames(0);
  console.log(
    `profile: read the name dictionary ${(performance.now() - t1).toFixed(0)} ms, ${names.length} names`,
  );
  // The same read taken apart: the query, gunzip, decoding the names.
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { gunzipSync } = await import('node:zlib');
  const { decodeNames } = await import('../../storage/rollup-codec');
  t1 = performance.now();
  const items =
    (
      await dyn.doc.send(
        new QueryCommand({
          TableName: dyn.tables.history,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'rollup2#names' },
        }),
      )
    ).Items ?? [];
  const tq = performance.now() - t1;
  t1 = performance.now();
  const raw = items.map((it) => gunzipSync(it.z as Uint8Array));
  const tz = performance.now() - t1;
  t1 = performance.now();
  for (const r of raw) decodeNames(r);
  const zb = items.reduce((n, it) => n + (it.z as Uint8Array).length, 0);
  console.log(
    `profile: dictionary ${items.length} items, ${zb} bytes: query ${tq.toFixed(0)} ms, gunzip ${tz.toFixed(0)} ms, decode ${(performance.now() - t1).toFixed(0)} ms`,
  );
}
const { handler } = await import('../../lambdas/api/leaderboard-network-strength');
const points = (await import('../../lambdas/api/leaderboard-referral-points')).handler;
const context = {
  getRemainingTimeInMillis: () => 29_000,
  functionName: 'measure',
  awsRequestId: 'm',
} as Context;
const event = (query: Record<string, string>) =>
  ({
    resource: '/leaderboards/network-strength',
    path: '/leaderboards/network-strength',
    httpMethod: 'GET',
    queryStringParameters: query,
    multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    headers: {},
    body: null,
  }) as unknown as APIGatewayProxyEvent;

const { reader } = await import('../../lambdas/api/reader');

async function time(label: string, h: typeof handler, query: Record<string, string>) {
  const t0 = performance.now();
  const res = await h(event(query), context);
  const ms = performance.now() - t0;
  const body = JSON.parse(res.body) as { items: unknown[] };
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms  (status ${res.statusCode}, ${body.items.length} items)`,
  );
  return ms;
}

/** Median of REPEAT cold calls (every reader cache dropped before each), then one cached call. */
async function coldAndCached(label: string, h: typeof handler, query: Record<string, string>) {
  const runs: number[] = [];
  let body = '';
  for (let i = 0; i < REPEAT; i++) {
    reader().invalidate();
    const t0 = performance.now();
    const res = await h(event(query), context);
    runs.push(performance.now() - t0);
    if (res.statusCode !== 200) throw new Error(`${label}: status ${res.statusCode}`);
    // Items only: with no `to` the answered range ends now, which moves.
    const items = JSON.stringify((JSON.parse(res.body) as { items: unknown }).items);
    if (i > 0 && items !== body) throw new Error(`${label}: cold answers differ`);
    body = items;
  }
  runs.sort((a, b) => a - b);
  const med = runs[Math.floor(runs.length / 2)];
  console.log(
    `${`${label}, cold`.padEnd(52)} ${med.toFixed(1).padStart(8)} ms  (median of ${REPEAT}; min ${runs[0].toFixed(0)}, max ${runs[runs.length - 1].toFixed(0)})`,
  );
  await time(`${label}, cached`, h, query);
}

const END = START + BUCKETS * BUCKET_MS;
await coldAndCached('all-time network-strength', handler, { limit: '10' });
await coldAndCached('all-time referral-points', points, { limit: '10' });
await coldAndCached('mid range network-strength', handler, {
  from: toIso(START + 37 * BUCKET_MS + 1_234),
  to: toIso(START + 151 * BUCKET_MS + 777),
  limit: '10',
});
// No `from`, `to` inside the data (before the last bucket): the total block does not answer it.
await coldAndCached('from absent, to = last bucket network-strength', handler, {
  to: toIso(END - BUCKET_MS),
  limit: '10',
});
// Every bucket but the first (the 100,000-user one): the widest decomposition of this graph.
await coldAndCached('all but the first bucket network-strength', handler, {
  from: toIso(START + BUCKET_MS),
  limit: '10',
});

const mid = {
  from: toIso(START + 37 * BUCKET_MS + 1_234),
  to: toIso(START + 151 * BUCKET_MS + 777),
  limit: '10',
};
reader().invalidate();
await time('all-time network-strength, cold', handler, { limit: '10' });
await time('all-time network-strength, cached', handler, { limit: '10' });
await time('all-time network-strength limit 1000, cached', handler, { limit: '1000' });
await time('all-time referral-points (blocks cached)', points, { limit: '10' });
await time('mid range network-strength (dictionary cached)', handler, mid);
await time('mid range network-strength, cached', handler, mid);
for (let i = 0; i < 20; i++) await handler(event({ limit: '10' }), context);
const n = 50;
let sum = 0;
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  await handler(event({ limit: '10' }), context);
  sum += performance.now() - t0;
}
console.log(`all-time cached, mean of ${n}: ${(sum / n).toFixed(2)} ms`);

// A live system: one more journal lands in the latest bucket and the snapshot job re-rolls its blocks.
const picks = new Set<number>();
while (picks.size < PER_BUCKET) picks.add(Math.floor(rand() * USERS));
await writeJournal(START + (BUCKETS - 1) * BUCKET_MS, [...picks], false);
await pipeline.writeState({ ...emptyPipelineState(), checkpoint: last, counters: { users: USERS } });
t = performance.now();
await builder.runUntilCaughtUp();
console.log(`incremental snapshot run: ${(performance.now() - t).toFixed(0)} ms`);
await new Promise((r) => setTimeout(r, 300)); // let the cached snapshot state expire
await time('all-time after a re-roll (revalidate + refetch)', handler, { limit: '10' });
await time('all-time after a re-roll, cached again', handler, { limit: '10' });
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
await dyn.stop();
