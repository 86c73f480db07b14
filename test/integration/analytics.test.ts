// The read side end to end on a real dynalite: generated events (with unfriends, referral chains,
// rejected items) go through the real BatchProcessor, the real snapshot builder rolls them up, and
// the REAL handler modules answer API Gateway proxy events. Every route's answer is compared with
// the reference model; then batches of late events (older created_at) land after a snapshot run, and
// the leaderboards must move at once (the rollups plus the committed journals after them), stay put
// through a capped run that folds part of them, and after the runs that fold the rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import type { ZodType } from 'zod';
import { EventGenerator } from '../../domain/generator';
import { packRecords } from '../../domain/record-encoding';
import { BUCKET_MS, bucketCeil, bucketOf, toIso } from '../../domain/time';
import { BatchProcessor } from '../../lambdas/processor/batch-processor';
import { SnapshotBuilder } from '../../lambdas/snapshot/snapshot-builder';
import { ENV } from '../../lib/definitions';
import * as S from '../../queries/schemas';
import { INTERVALS, type Interval } from '../../queries/series';
import { SnapshotStore } from '../../storage/snapshot-store';
import { type LeaderboardMetric, ReferenceModel } from '../reference/model';
import { startDynamo, type TestDynamo } from '../support/dynamo';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const START = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
const STEP = 7_000;
const DAY = 86_400_000;

const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'analytics-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:analytics-test',
  memoryLimitInMB: '1024',
  awsRequestId: 'test',
  logGroupName: '/aws/lambda/analytics-test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

function apiEvent(
  resource: string,
  pathParameters: Record<string, string> | null,
  query: Record<string, string | string[]> = {},
): APIGatewayProxyEvent {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    const all = Array.isArray(v) ? v : [v];
    single[k] = all[all.length - 1];
    multi[k] = all;
  }
  let path = resource;
  for (const [k, v] of Object.entries(pathParameters ?? {}))
    path = path.replace(`{${k}}`, encodeURIComponent(v));
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource,
    path,
    httpMethod: 'GET',
    headers: { accept: 'application/json' },
    multiValueHeaders: { accept: ['application/json'] },
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'GET',
      identity: { sourceIp: '127.0.0.1' },
      path,
      stage: 'test',
      requestId: 'req',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: resource,
    },
  } as unknown as APIGatewayProxyEvent;
}

let dyn: TestDynamo;
const H: Record<string, Handler> = {};
let resetStates: () => void;

/** Items in stream order, and the sequence number of the record each one travelled in. */
const items: unknown[] = [];
const seqOf: string[] = [];
let nextSeq = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;

async function feed(processor: BatchProcessor, events: unknown[]): Promise<void> {
  const perRecord = 40;
  const records: { sequenceNumber: string; data: Buffer }[] = [];
  for (let i = 0; i < events.length; i += perRecord) {
    const group = events.slice(i, i + perRecord);
    const packed = packRecords(group, { maxEventsPerRecord: perRecord });
    assert.equal(packed.length, 1);
    nextSeq += 13n;
    const sequenceNumber = nextSeq.toString();
    records.push({ sequenceNumber, data: packed[0] });
    for (const e of group) {
      items.push(e);
      seqOf.push(sequenceNumber);
    }
  }
  for (let i = 0; i < records.length; i += 3) await processor.process(records.slice(i, i + 3));
}

async function call(
  route: string,
  path: Record<string, string> | null,
  query: Record<string, string | string[]> = {},
) {
  const resource = route;
  const res = await H[route](apiEvent(resource, path, query), context);
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

async function ok<T>(schema: ZodType<T>, route: string, path: Record<string, string> | null, query = {}) {
  const r = await call(route, path, query);
  assert.equal(r.status, 200, `${route} ${JSON.stringify(query)}: ${JSON.stringify(r.body)}`);
  return schema.parse(r.body);
}

const iso = (ms: number) => toIso(ms);
const ms = (s: string) => Date.parse(s);

/** Leaderboard ranges checked after each snapshot, as raw request instants. */
const RANGES: { from?: number; to?: number; limit: number }[] = [
  { limit: 1000 },
  { limit: 3 },
  { to: START + 20_000 + 1_234, limit: 1000 },
  { from: START + 8_000 + 17, to: START + 50_000 + 3, limit: 1000 },
  { from: START + 14_000, to: START + 14_001, limit: 5 },
  { from: START - 3_600_000, to: START - 1_000, limit: 1000 },
  { from: START - 3 * DAY, to: START + DAY, limit: 1000 },
  { from: START - 49 * 3_600_000, to: START - 47 * 3_600_000, limit: 1000 },
  { from: START - 2 * 3_600_000 - 30_000, limit: 1000 },
  { from: START + 60_000, limit: 2 },
];

async function checkLeaderboards(model: ReferenceModel) {
  let nonEmpty = 0;
  for (const metric of ['network-strength', 'referral-points'] as LeaderboardMetric[]) {
    const route = `/leaderboards/${metric}`;
    for (const r of RANGES) {
      const q: Record<string, string> = { limit: String(r.limit) };
      if (r.from !== undefined) q.from = iso(r.from);
      if (r.to !== undefined) q.to = String(r.to);
      const body = await ok(S.LeaderboardSchema, route, null, q);
      const label = `${metric} ${JSON.stringify(r)}`;
      assert.equal(body.metric, metric);
      assert.equal(body.from, r.from === undefined ? null : iso(bucketOf(r.from)), label);
      if (r.to !== undefined) assert.equal(body.to, iso(bucketCeil(r.to)), label);
      assert.deepEqual(body.items, model.leaderboard(metric, r.from, r.to, r.limit), label);
      if (body.items.length > 0) nonEmpty++;
    }
  }
  assert.ok(nonEmpty >= 10, 'most ranges have data');
}

/** How many of the checked leaderboards differ between two models. */
function differing(a: ReferenceModel, b: ReferenceModel): number {
  let n = 0;
  for (const metric of ['network-strength', 'referral-points'] as LeaderboardMetric[]) {
    for (const r of RANGES) {
      const x = a.leaderboard(metric, r.from, r.to, r.limit);
      const y = b.leaderboard(metric, r.from, r.to, r.limit);
      if (JSON.stringify(x) !== JSON.stringify(y)) n++;
    }
  }
  return n;
}

const gen = new EventGenerator({ users: 30, seed: 11, startMs: START, stepMs: STEP });
let modelA: ReferenceModel;
let modelB: ReferenceModel;
let builder: SnapshotBuilder;
let processor: BatchProcessor;

before(async () => {
  dyn = await startDynamo();
  process.env[ENV.graphTable] = dyn.tables.graph;
  process.env[ENV.historyTable] = dyn.tables.history;
  process.env[ENV.metaTable] = dyn.tables.meta;
  process.env[ENV.dynamodbEndpoint] = dyn.endpoint;
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const routes: [string, string][] = [
    ['/users/{name}', 'user-profile'],
    ['/users/{name}/network', 'user-network'],
    ['/users/{name}/friends', 'user-friends'],
    ['/users/{name}/top-friends', 'user-top-friends'],
    ['/users/{name}/referrals', 'user-referrals'],
    ['/users/{name}/friends-count', 'user-friends-count'],
    ['/leaderboards/network-strength', 'leaderboard-network-strength'],
    ['/leaderboards/referral-points', 'leaderboard-referral-points'],
    ['/meta/users', 'meta-users'],
    ['/meta/snapshots', 'meta-snapshots'],
    ['/meta/rejections', 'meta-rejections'],
    ['/openapi.json', 'openapi'],
  ];
  for (const [path, file] of routes) {
    H[path] = ((await import(`../../lambdas/api/${file}.ts`)) as { handler: Handler }).handler;
  }
  const { reader } = await import('../../lambdas/api/reader');
  resetStates = () => reader().refresh();

  processor = new BatchProcessor({ doc: dyn.doc, tables: dyn.tables });
  // A small slice size makes most rollup blocks span several chunk items.
  builder = new SnapshotBuilder({ doc: dyn.doc, tables: dyn.tables }, { chunkBytes: 64 });

  // The main stream: 12 generator batches, a referral chain with a cycle attempt, and dirt.
  const main: unknown[] = [];
  for (let b = 0; b < 12; b++) {
    main.push(...gen.nextBatch());
    if (b === 2) {
      const at = iso(START + 2 * STEP + 900);
      for (const n of ['chainA', 'chainB', 'chainC', 'chainD'])
        main.push({ type: 'register', name: n, created_at: at });
      main.push({ type: 'referral', referredBy: 'chainA', user: 'chainB', created_at: at });
      main.push({ type: 'referral', referredBy: 'chainB', user: 'chainC', created_at: at });
      main.push({ type: 'referral', referredBy: 'chainC', user: 'chainD', created_at: at });
      main.push({ type: 'referral', referredBy: 'chainD', user: 'chainA', created_at: at });
      main.push({ type: 'addfriend', user1_name: 'chainA', user2_name: 'chainB', created_at: at });
      main.push({ type: 'addfriend', user1_name: 'chainA', user2_name: 'user00001', created_at: at });
      main.push({ type: 'register', name: 'user00001', created_at: at });
      main.push({ type: 'poke', created_at: at });
      main.push({ type: 'addfriend', user1_name: 'ghost', user2_name: 'chainA', created_at: at });
      main.push({ type: 'addfriend', user1_name: 'chainC', user2_name: 'chainC', created_at: at });
    }
  }
  await feed(processor, main);
  modelA = ReferenceModel.fromItems(items);
  await builder.runUntilCaughtUp();
});

after(async () => {
  await dyn?.stop();
});

describe('analytics read side (dynalite, real processor, snapshot and handlers)', () => {
  it('profiles, networks, friends, top friends match the model for every user', async () => {
    for (const name of modelA.names()) {
      const profile = await ok(S.UserProfileSchema, '/users/{name}', { name });
      const p = modelA.profile(name);
      assert.ok(p);
      assert.deepEqual(profile, { ...p, registeredAt: iso(p.registeredAt), profile: null });
      assert.deepEqual(await ok(S.NetworkSchema, '/users/{name}/network', { name }), modelA.network(name));
      const top = await ok(S.TopFriendsSchema, '/users/{name}/top-friends', { name });
      assert.deepEqual(top.items, modelA.topFriends(name, 3));
      const top100 = await ok(S.TopFriendsSchema, '/users/{name}/top-friends', { name }, { limit: '100' });
      assert.deepEqual(top100.items, modelA.topFriends(name, 100));
    }
    const chain = await ok(S.UserProfileSchema, '/users/{name}', { name: 'chainA' });
    assert.equal(chain.referralPoints, 2, 'points flow up to depth 2');
  });

  it('friends pagination walks the whole list with no duplicate or gap', async () => {
    for (const name of modelA.names()) {
      const expected = (modelA.friends(name) ?? []).map((f) => ({ name: f.name, since: iso(f.since) }));
      for (const limit of [1, 4]) {
        const seen: { name: string; since: string }[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const q: Record<string, string> = { limit: String(limit) };
          if (cursor !== null) q.cursor = cursor;
          const page = await ok(S.FriendsSchema, '/users/{name}/friends', { name }, q);
          assert.equal(page.total, expected.length);
          assert.ok(page.items.length <= limit);
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 1_000);
        assert.deepEqual(seen, expected, `${name} limit ${limit}`);
      }
      const all = await ok(S.FriendsSchema, '/users/{name}/friends', { name }, { limit: '1000' });
      assert.deepEqual(all.items, expected);
      assert.equal(all.nextCursor, null);
    }
  });

  it('referral and friends-count series match the model (explicit and default ranges)', async () => {
    const names = modelA.names();
    const from = START - 10_000 + 123;
    const to = START + 80_000 - 7;
    for (const name of names) {
      for (const interval of ['5s', '1m'] as Interval[]) {
        const q = { from: iso(from), to: String(to), interval };
        const refs = await ok(S.ReferralsSchema, '/users/{name}/referrals', { name }, q);
        const m = modelA.referralSeries(name, from, to, INTERVALS[interval]);
        assert.deepEqual(refs, {
          name,
          from: iso(m.from),
          to: iso(m.to),
          interval,
          count: m.count,
          series: m.series.map((p) => ({ ...p, start: iso(p.start) })),
        });
        const fc_ = await ok(S.FriendsCountSchema, '/users/{name}/friends-count', { name }, q);
        const f = modelA.friendsCountSeries(name, from, to, INTERVALS[interval]);
        assert.deepEqual(fc_, {
          name,
          interval,
          ...f,
          from: iso(f.from),
          to: iso(f.to),
          series: f.series.map((p) => ({ ...p, start: iso(p.start) })),
        });
      }
    }
    // Defaults: from the step holding the registration to the step holding now, finest interval that fits.
    for (const name of names.slice(0, 4)) {
      const refs = await ok(S.ReferralsSchema, '/users/{name}/referrals', { name });
      const step = INTERVALS[refs.interval];
      const registeredAt = modelA.profile(name)?.registeredAt as number;
      assert.equal(ms(refs.from), Math.floor(registeredAt / step) * step);
      assert.ok(ms(refs.to) > Date.now() - step && refs.series.length <= 1000);
      const m = modelA.referralSeries(name, ms(refs.from), ms(refs.to), step);
      assert.equal(refs.count, m.count);
      assert.deepEqual(
        refs.series.map((p) => p.cumulative),
        m.series.map((p) => p.cumulative),
      );
      const fcount = await ok(
        S.FriendsCountSchema,
        '/users/{name}/friends-count',
        { name },
        { interval: '1d' },
      );
      assert.equal(fcount.atEnd, modelA.friends(name)?.length);
      assert.equal(fcount.added - fcount.removed + fcount.atStart, fcount.atEnd);
    }
  });

  it('leaderboards match the model for many ranges', async () => {
    await checkLeaderboards(modelA);
    // A second pass answers from the cache, identically.
    await checkLeaderboards(modelA);
  });

  it('meta: users (prefix, pagination), snapshots, rejections', async () => {
    const names = modelA.names();
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const q: Record<string, string> = { limit: '7' };
      if (cursor !== null) q.cursor = cursor;
      const page = await ok(S.MetaUsersSchema, '/meta/users', null, q);
      assert.equal(page.total, names.length);
      walked.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(walked, names);
    const pre = await ok(S.MetaUsersSchema, '/meta/users', null, { prefix: 'user0001' });
    const expected = names.filter((n) => n.startsWith('user0001'));
    assert.deepEqual(pre.items, expected);
    assert.equal(pre.total, expected.length);
    assert.equal(pre.nextCursor, null);
    const chain = await ok(S.MetaUsersSchema, '/meta/users', null, { prefix: 'chain', limit: '2' });
    assert.deepEqual(chain.items, ['chainA', 'chainB']);
    const chain2 = await ok(S.MetaUsersSchema, '/meta/users', null, {
      prefix: 'chain',
      cursor: chain.nextCursor as string,
    });
    assert.deepEqual(chain2.items, ['chainC', 'chainD']);

    const openapi = await call('/openapi.json', null);
    assert.equal(openapi.status, 200);
    assert.ok('/users/{name}/friends-count' in openapi.body.paths);

    const snap = await ok(S.MetaSnapshotsSchema, '/meta/snapshots', null);
    assert.equal(snap.resolutionMs, BUCKET_MS);
    assert.equal(snap.earliest, iso(bucketOf(START)));
    assert.equal(snap.latest, iso(bucketOf(START + 11 * STEP)));
    assert.equal(snap.coveredUntil, iso(bucketOf(START + 11 * STEP) + BUCKET_MS));
    assert.ok(snap.buckets >= 12 && snap.lastBuiltAt !== null);
    assert.deepEqual(
      snap.levels.map((l) => l.resolutionMs),
      [5_000, 60_000, 3_600_000, 86_400_000],
    );

    const expectedRejections = modelA.outcomes.flatMap((o, i) =>
      o === 'applied' || o === 'noop' ? [] : [{ reason: o, event: items[i], sequenceNumber: seqOf[i] }],
    );
    assert.ok(expectedRejections.length >= 5);
    const got: unknown[] = [];
    let rc: string | null = null;
    do {
      const q: Record<string, string> = { limit: '2' };
      if (rc !== null) q.cursor = rc;
      const page = await ok(S.RejectionsSchema, '/meta/rejections', null, q);
      got.push(...page.items);
      rc = page.nextCursor;
    } while (rc !== null);
    assert.deepEqual(got, expectedRejections);
  });

  it('bad parameters are 400s naming the parameter; unknown users are 404s; never a 500', async () => {
    const u = { name: 'user00001' };
    const cases: [string, Record<string, string> | null, Record<string, string | string[]>, string][] = [
      ['/leaderboards/network-strength', null, { limit: '0' }, 'limit'],
      ['/leaderboards/network-strength', null, { limit: '1001' }, 'limit'],
      ['/leaderboards/referral-points', null, { limit: 'ten' }, 'limit'],
      ['/leaderboards/referral-points', null, { from: 'yesterday' }, 'from'],
      ['/leaderboards/referral-points', null, { to: '2025-13-01T00:00:00Z' }, 'to'],
      ['/leaderboards/network-strength', null, { from: String(START), to: String(START) }, 'from'],
      [
        '/leaderboards/network-strength',
        null,
        { from: String(START + 3_000), to: String(START + 1_000) },
        'from',
      ],
      ['/leaderboards/network-strength', null, { page: '2' }, 'page'],
      ['/leaderboards/network-strength', null, { limit: ['1', '2'] }, 'limit'],
      ['/users/{name}/friends', u, { cursor: 'Zm9yZ2Vk' }, 'cursor'],
      ['/users/{name}/friends', u, { limit: '1001' }, 'limit'],
      ['/users/{name}/top-friends', u, { limit: '101' }, 'limit'],
      ['/users/{name}/referrals', u, { interval: '2m' }, 'interval'],
      [
        '/users/{name}/referrals',
        u,
        { interval: '5s', from: String(START), to: String(START + 5_001_000) },
        'interval',
      ],
      ['/users/{name}/friends-count', u, { from: String(START + 10_000), to: String(START) }, 'from'],
      ['/users/{name}/friends-count', u, { to: 'soon' }, 'to'],
      ['/users/{name}', u, { verbose: '1' }, 'verbose'],
      ['/meta/users', null, { prefix: '' }, 'prefix'],
      ['/meta/users', null, { limit: '0' }, 'limit'],
      ['/meta/rejections', null, { cursor: 'AQ' }, 'cursor'],
      ['/meta/snapshots', null, { x: '1' }, 'x'],
    ];
    for (const [route, path, query, param] of cases) {
      const r = await call(route, path, query);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(query)}`);
      S.ErrorSchema.parse(r.body);
      assert.ok(r.body.error.message.includes(`'${param}'`), `${route}: ${r.body.error.message}`);
    }
    const tooMany = await call('/users/{name}/referrals', u, {
      interval: '5s',
      from: String(START),
      to: String(START + DAY),
    });
    assert.match(tooMany.body.error.message, /more than the 1000 allowed/);
    for (const route of [
      '/users/{name}',
      '/users/{name}/network',
      '/users/{name}/friends',
      '/users/{name}/top-friends',
      '/users/{name}/referrals',
      '/users/{name}/friends-count',
    ]) {
      const r = await call(route, { name: 'nobody' });
      assert.equal(r.status, 404, route);
      assert.equal(r.body.error.code, 'not_found');
    }
    // Arbitrary query values: a 200 or a 400, never anything else.
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            from: fc.string({ maxLength: 24 }),
            to: fc.string({ maxLength: 24 }),
            limit: fc.string({ maxLength: 5 }),
          },
          { requiredKeys: [] },
        ),
        async (q) => {
          const r = await call('/leaderboards/referral-points', null, q);
          assert.ok(r.status === 200 || r.status === 400, `${JSON.stringify(q)} -> ${r.status}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('late events reach every ranged answer at once (rollups + journals after them), and re-runs change nothing', async () => {
    const stateA = await new SnapshotStore(dyn.doc, dyn.tables.meta).read();
    // Late batches: two days and two hours before the stream began, and inside an existing bucket.
    // Each lands as its own processor batch, so each has its own journal.
    const late: unknown[][] = [
      gen.nextBatch(START - 2 * DAY + 2_500),
      gen.nextBatch(START - 2 * 3_600_000 + 1_234),
      gen.nextBatch(START + 3 * STEP + 1_500),
      [
        {
          type: 'referral',
          referredBy: 'chainD',
          user: 'user00002',
          created_at: iso(START - 2 * DAY + 2_600),
        },
      ],
    ];
    for (const events of late) await feed(processor, events);
    modelB = ReferenceModel.fromItems(items);
    assert.ok(differing(modelA, modelB) >= 6, 'the late events move many leaderboards');
    resetStates();
    // Per-user answers read the graph: already current.
    for (const name of modelB.names().slice(0, 10)) {
      const p = modelB.profile(name);
      assert.ok(p);
      assert.deepEqual(await ok(S.UserProfileSchema, '/users/{name}', { name }), {
        ...p,
        registeredAt: iso(p.registeredAt),
        profile: null,
      });
    }
    // Ranged answers read the rollups and the committed journals after them: already current, before
    // the snapshot job has run.
    await checkLeaderboards(modelB);

    // A run capped at one journal leaves late journals behind: coveredUntil drops to their earliest bucket.
    const capped = new SnapshotBuilder(
      { doc: dyn.doc, tables: dyn.tables },
      { maxDeltas: 1, chunkBytes: 64 },
    );
    const first = await capped.run();
    assert.equal(first.journals, 1);
    assert.equal(first.caughtUp, false);
    assert.ok((first.state.coveredUntil as number) <= bucketOf(START - 2 * 3_600_000 + 1_234));
    // Part in the rollups, part in the journals after them: the same answers.
    resetStates();
    await checkLeaderboards(modelB);
    const run = await builder.runUntilCaughtUp();
    assert.ok(run.journals > 0 && run.caughtUp);
    assert.equal(run.state.coveredUntil, stateA.coveredUntil, 'caught up again: the end of the latest data');
    resetStates(); // the cached blocks now revalidate against their new versions
    await checkLeaderboards(modelB);
    const snap = await ok(S.MetaSnapshotsSchema, '/meta/snapshots', null);
    assert.equal(snap.earliest, iso(bucketOf(START - 2 * DAY + 2_500)));
    assert.equal(snap.levels[3].blocks, 1, 'the sealed day two days back; the current day is still open');

    // A crash of the last run after its rollup writes and before the cursor moved: put back the state
    // that run started from (the capped run's; earlier states are gone for good once a later run has
    // deleted the journals they had folded) and re-run.
    const stateB = await new SnapshotStore(dyn.doc, dyn.tables.meta).read();
    await new SnapshotStore(dyn.doc, dyn.tables.meta).write(first.state, stateB.cursor);
    const rerun = await builder.runUntilCaughtUp();
    assert.equal(rerun.blocksWritten, 0, 'every block already holds those journals');
    assert.deepEqual({ ...rerun.state, lastBuiltAt: 0 }, { ...stateB, lastBuiltAt: 0 });
    resetStates();
    await checkLeaderboards(modelB);
    // And a run with nothing new writes nothing.
    const idle = await builder.run();
    assert.equal(idle.journals + idle.blocksWritten, 0);
  });
});
