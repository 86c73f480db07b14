// api.<route>.p95Ms / rps: every route of the local API Gateway at 50 concurrent clients, on a graph
// of 100,000 users and their marketplace (the seeded generator's mixed stream: products, sales, ratings,
// interactions, profiles) built through the real pipeline (producer -> kinesalite -> processor ->
// dynalite) and rolled up by the real snapshot job. apiTokens.*: the same requests again with access
// tokens on (the authorizer's cost), unless --no-tokens.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MixedGenerator } from '../domain/family-generator';
import { productIdOf } from '../domain/marketplace/generator';
import { toIso } from '../domain/time';
import { ABILITIES, AUTHORIZER_CACHE_SECONDS, ROUTES } from '../lib/definitions';
import { newToken, tokenHash } from '../queries/access';
import { makeDynamoClient, makeKinesisClient } from '../storage/clients';
import { TokenStore } from '../storage/token-store';
import { StreamProducer } from '../stream/producer';
import { type Figure, type Section, startBenchRuntime } from './report';

const CLIENTS = 50;
/** Routes that answer once the processor has committed their event (lib/definitions.ts). */
const COMMIT_WAITING = new Set(
  ROUTES.filter((r) => r.fn.stream === 'write' && r.id !== 'PostEvents').map((r) => r.id),
);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** A tiny seeded PRNG so every run asks the same questions. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedRequest {
  method: string;
  path: string;
  body?: string;
}

export interface LoadPlan {
  base: string;
  clients: number;
  /** Headers every request carries (the tokens pass: Authorization). */
  headers?: Record<string, string>;
  routes: { id: string; warmup: PlannedRequest[]; requests: PlannedRequest[] }[];
}

export type LoadResults = Record<
  string,
  { latenciesMs: number[]; elapsedMs: number; statuses: Record<string, number> }
>;

/**
 * Every route's requests (`perRoute` each), the same on every run: users picked at random among the
 * `userCount` the generator named, ranges around the generated data, which starts at `startMs`.
 */
export function apiPlan(base: string, userCount: number, startMs: number, perRoute: number): LoadPlan {
  const rand = rng(7);
  const someone = () => `user${String(1 + Math.floor(rand() * userCount)).padStart(5, '0')}`;
  // The seeded catalogue's products (domain/marketplace/generator.ts).
  const products = Math.min(5_000, Math.max(20, Math.floor(userCount / 20)));
  const someProduct = () => String(productIdOf(1 + Math.floor(rand() * products)));
  const minute = 60_000;
  const someRange = () => {
    const from = startMs - 10 * minute + Math.floor(rand() * 20) * minute + Math.floor(rand() * 5000);
    return `from=${encodeURIComponent(toIso(from))}&to=${encodeURIComponent(toIso(from + (1 + Math.floor(rand() * 60)) * minute))}`;
  };
  const rangeParams = () => Object.fromEntries(new URLSearchParams(someRange()));
  // A marketplace series: a window (the last stretch up to now), a range around the data, or the
  // default (from the subject's first event, at the finest interval).
  const someWindowOrRange = () => {
    const x = rand();
    if (x < 0.3) return `window=${['1h', '24h', '7d'][Math.floor(rand() * 3)]}`;
    if (x < 0.8) return `interval=1m&${someRange()}`;
    return '';
  };
  const requestFor: Record<string, () => { path: string; init?: { method: string; body: string } }> = {
    Health: () => ({ path: '/health' }),
    OpenApi: () => ({ path: '/openapi.json' }),
    UserProfile: () => ({ path: `/users/${someone()}` }),
    UserNetwork: () => ({ path: `/users/${someone()}/network` }),
    UserFriends: () => ({ path: `/users/${someone()}/friends?limit=50` }),
    UserTopFriends: () => ({ path: `/users/${someone()}/top-friends?limit=3` }),
    UserReferrals: () => ({ path: `/users/${someone()}/referrals?interval=1m&${someRange()}` }),
    UserFriendsCount: () => ({ path: `/users/${someone()}/friends-count?interval=1m&${someRange()}` }),
    LeaderboardNetworkStrength: () => ({
      path: `/leaderboards/network-strength?limit=10${rand() < 0.5 ? '' : `&${someRange()}`}`,
    }),
    LeaderboardReferralPoints: () => ({
      path: `/leaderboards/referral-points?limit=10${rand() < 0.5 ? '' : `&${someRange()}`}`,
    }),
    MetaUsers: () => ({ path: `/meta/users?prefix=user${Math.floor(rand() * 10)}&limit=20` }),
    MetaSnapshots: () => ({ path: '/meta/snapshots' }),
    MetaPipeline: () => ({ path: '/meta/pipeline' }),
    MetaRejections: () => ({ path: '/meta/rejections?limit=20' }),
    ProductList: () => ({
      path: `/products?limit=20${rand() < 0.5 ? '' : `&prefix=${Math.floor(rand() * 10)}`}`,
    }),
    ProductGet: () => ({ path: `/products/${encodeURIComponent(someProduct())}` }),
    UserProfileGet: () => ({ path: `/users/${someone()}/profile` }),
    ProductSales: () => ({
      path: `/products/${encodeURIComponent(someProduct())}/sales?${someWindowOrRange()}`,
    }),
    ProductRatings: () => ({
      path: `/products/${encodeURIComponent(someProduct())}/ratings?${someWindowOrRange()}`,
    }),
    UserActivity: () => ({ path: `/users/${someone()}/activity?${someWindowOrRange()}` }),
    EventFrequencies: () => ({ path: `/events/frequencies?${someWindowOrRange()}` }),
    Metrics: () => ({ path: '/metrics' }),
    MetricsQuery: () => {
      const asks = [
        { name: 'products.sales', params: { productId: someProduct(), window: '24h' } },
        { name: 'users.profile', params: { name: someone() } },
        { name: 'leaderboards.products', params: { metric: 'units', limit: 10 } },
        { name: 'users.activity', params: { name: someone(), interval: '1m', ...rangeParams() } },
      ];
      return {
        path: '/metrics/query',
        init: { method: 'POST', body: JSON.stringify(asks[Math.floor(rand() * asks.length)]) },
      };
    },
    LeaderboardProducts: () => {
      const metric = ['revenue', 'units', 'orders', 'interactions', 'rating'][Math.floor(rand() * 5)];
      const extra = metric === 'interactions' && rand() < 0.5 ? '&action=view' : '';
      const range = rand() < 0.4 ? '' : rand() < 0.5 ? `&window=24h` : `&${someRange()}`;
      return { path: `/leaderboards/products?metric=${metric}${extra}&limit=10${range}` };
    },
    PostEvents: () => ({
      path: '/events',
      init: {
        method: 'POST',
        body: JSON.stringify([
          { type: 'register', name: `api${Math.floor(rand() * 1e9)}`, created_at: toIso(Date.now()) },
        ]),
      },
    }),
    // The catalogue writes answer once the processor has committed their event: their latency is the
    // pipeline's commit latency, not a read's.
    ProductCreate: () => ({
      path: '/products',
      init: {
        method: 'POST',
        body: JSON.stringify({ productId: `bench-${Math.floor(rand() * 1e6)}`, name: 'Bench' }),
      },
    }),
    ProductPut: () => ({
      path: `/products/bench-${Math.floor(rand() * 1e6)}`,
      init: { method: 'PUT', body: JSON.stringify({ name: 'Bench', cost: (rand() * 100).toFixed(2) }) },
    }),
    ProductDelete: () => ({
      path: `/products/bench-${Math.floor(rand() * 1e6)}`,
      init: { method: 'DELETE', body: '' },
    }),
    UserProfilePut: () => ({
      path: `/users/${someone()}/profile`,
      init: { method: 'PUT', body: JSON.stringify({ displayName: `Bench ${Math.floor(rand() * 1e6)}` }) },
    }),
    UserProfileDelete: () => ({
      path: `/users/${someone()}/profile`,
      init: { method: 'DELETE', body: '' },
    }),
    // The posts family: ids as its generator writes them (domain/posts/generator.ts, seed 51), among
    // the first posts of the stream.
    PostGet: () => ({
      path: `/posts/p-${(51).toString(36)}-${(1 + Math.floor(rand() * 2_000)).toString(36)}`,
    }),
    UserPosts: () => ({ path: `/users/${someone()}/posts?limit=20` }),
    PostsStats: () => ({
      path: `/posts/stats?${someWindowOrRange()}${rand() < 0.5 ? `&user=${someone()}` : ''}`,
    }),
    LeaderboardWriters: () => {
      const range = rand() < 0.4 ? '' : rand() < 0.5 ? `&window=24h` : `&${someRange()}`;
      return { path: `/leaderboards/writers?metric=${rand() < 0.5 ? 'posts' : 'words'}&limit=10${range}` };
    },
    PostCreate: () => ({
      path: '/posts',
      init: {
        method: 'POST',
        body: JSON.stringify({
          user: someone(),
          content: `Bench post ${Math.floor(rand() * 1e6)} — héllo 🎉`,
        }),
      },
    }),
  };
  return {
    base,
    clients: CLIENTS,
    routes: ROUTES.map((r) => {
      const make = requestFor[r.id];
      if (!make) throw new Error(`bench/api.ts has no request for route ${r.id}`);
      const one = (): PlannedRequest => {
        const q = make();
        return { method: q.init?.method ?? 'GET', path: q.path, body: q.init?.body };
      };
      // Warm-up requests (four per connection) come first from the same generator, so they ask about
      // other users than the measured ones.
      const warmup = Array.from({ length: 4 * CLIENTS }, one);
      return { id: r.id, warmup, requests: Array.from({ length: perRoute }, one) };
    }),
  };
}

/** Which load client measured: the C one (compiled here) or, without a C compiler, the Node one. */
export type LoadClientKind = 'c' | 'node';

let compiled: Promise<string | null> | null = null;

/**
 * Compiles bench/load-client.c once per source (cached in the temporary folder under its hash); null
 * when no C compiler works here.
 */
export function cLoadClient(): Promise<string | null> {
  compiled ??= (async () => {
    const source = fileURLToPath(new URL('./load-client.c', import.meta.url));
    const hash = createHash('sha1').update(readFileSync(source)).digest('hex').slice(0, 12);
    const binary = join(tmpdir(), `bacefook-load-client-${hash}`);
    if (existsSync(binary)) return binary;
    for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
      if (!cc) continue;
      // (a file of this process's own, renamed into place whole: two benches may compile at once)
      const partial = `${binary}.${process.pid}.tmp`;
      const r = spawnSync(cc, ['-O2', '-o', partial, source], { stdio: 'ignore' });
      if (r.status === 0) {
        renameSync(partial, binary);
        return binary;
      }
    }
    return null;
  })();
  return compiled;
}

/** The plan in the load clients' format (see load-client.c). */
function encodePlan(plan: LoadPlan): Buffer {
  const host = new URL(plan.base).host;
  const parts: Buffer[] = [Buffer.from(`${plan.clients}\n${plan.routes.length}\n`)];
  const request = (r: PlannedRequest) => {
    const bytes = serializeRequest(host, r, plan.headers);
    parts.push(Buffer.from(`${bytes.length}\n`), bytes);
  };
  for (const route of plan.routes) {
    parts.push(Buffer.from(`${route.id}\n${route.warmup.length} ${route.requests.length}\n`));
    route.warmup.forEach(request);
    route.requests.forEach(request);
  }
  return Buffer.concat(parts);
}

/** A request's bytes, as the clients write them. */
function serializeRequest(host: string, r: PlannedRequest, headers: Record<string, string> = {}): Buffer {
  const body = r.body === undefined ? null : Buffer.from(r.body, 'utf8');
  let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== null) head += `content-type: application/json\r\ncontent-length: ${body.length}\r\n`;
  head += '\r\n';
  return body === null ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Runs a plan from a load client in a process of its own (so its work is not charged to the API it
 * measures): the C client when a C compiler is at hand, else the Node one. Returns what it measured.
 */
export async function runLoad(
  plan: LoadPlan,
  kind: LoadClientKind | 'auto' = 'auto',
): Promise<{ results: LoadResults; client: LoadClientKind }> {
  const dir = mkdtempSync(join(tmpdir(), 'bacefook-bench-'));
  const binary = kind === 'node' ? null : await cLoadClient();
  if (kind === 'c' && binary === null) throw new Error('no C compiler for bench/load-client.c');
  const planFile = join(dir, 'plan.bin');
  writeFileSync(planFile, encodePlan(plan));
  const port = new URL(plan.base).port;
  const [command, args] =
    binary !== null
      ? [binary, [port, planFile]]
      : [process.execPath, [fileURLToPath(new URL('./load-client.mjs', import.meta.url)), port, planFile]];
  try {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`load client exited with ${code}`);
    return { results: JSON.parse(stdout) as LoadResults, client: binary !== null ? 'c' : 'node' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The API's figures with tokens on (SPEC 13), route by route, each right after the same route open,
 * so the machine's drift between the two is small: every request carries one token of every ability,
 * the gateway's authorizer cache on (as API Gateway's is for a client). Then one route with the cache
 * off, so every request runs the authorizer (its look-up of the token's hash in the meta table).
 */
async function tokensPass(
  rt: Awaited<ReturnType<typeof startBenchRuntime>>,
  plan: LoadPlan,
  perRoute: number,
): Promise<Section> {
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  const token = newToken();
  await new TokenStore(doc, rt.tables.meta).create(tokenHash(token), 'bench', [...ABILITIES], new Date());
  doc.destroy();
  const headers = { authorization: `Bearer ${token}` };
  const open: LoadResults = {};
  const guarded: LoadResults = {};
  let calls = 0;
  for (const route of plan.routes) {
    const one = { ...plan, routes: [route] };
    await rt.setAuth(false);
    open[route.id] = (await runLoad(one)).results[route.id];
    const before = rt.stats().api.authorizerCalls;
    await rt.setAuth(true);
    guarded[route.id] = (await runLoad({ ...one, headers })).results[route.id];
    calls += rt.stats().api.authorizerCalls - before;
  }
  const uncachedRoute = 'MetaPipeline';
  const uncachedPlan = { ...plan, headers, routes: plan.routes.filter((r) => r.id === uncachedRoute) };
  await rt.setAuth({ cacheSeconds: 0 });
  const uncached = (await runLoad(uncachedPlan)).results[uncachedRoute];
  await rt.setAuth(false);
  const uncachedOpen = (await runLoad({ ...uncachedPlan, headers: {} })).results[uncachedRoute];

  const p95 = (res: LoadResults[string]) => percentile(res.latenciesMs, 95);
  const section: Record<string, Record<string, Figure>> = {};
  const overheads: number[] = [];
  for (const r of ROUTES) {
    const res = guarded[r.id];
    const denied = Object.keys(res.statuses).filter((st) => st === '401' || st === '403');
    if (denied.length > 0) throw new Error(`${r.id} with a token: ${JSON.stringify(res.statuses)}`);
    if (r.access !== 'open' && !COMMIT_WAITING.has(r.id)) overheads.push(p95(res) - p95(open[r.id]));
    section[r.id] = {
      p95Ms: {
        value: p95(res),
        unit: 'ms',
        target: COMMIT_WAITING.has(r.id) ? 'waits for the commit' : '< 50',
        how: `as api.${r.id}.p95Ms, every request with Authorization: Bearer (one token; the gateway's ${AUTHORIZER_CACHE_SECONDS} s authorizer cache on), run right after the same route open, which measured ${p95(open[r.id]).toFixed(1)} ms`,
      },
      rps: { value: (perRoute / res.elapsedMs) * 1000, unit: 'req/s', how: `${r.id}: the same run` },
    };
  }
  overheads.sort((a, b) => a - b);
  return {
    ...section,
    medianP95OverheadMs: {
      value: overheads[Math.floor(overheads.length / 2)],
      unit: 'ms',
      how: `median over the ${overheads.length} guarded routes that do not wait for a commit of (p95 with a token − p95 of the same route open just before), the authorizer's answer cached`,
    },
    authorizerCalls: {
      value: calls,
      unit: 'invocations',
      how: `authorizer runs in all the guarded runs (${ROUTES.length} routes × ${perRoute + 4 * CLIENTS} requests, one token; the cache starts empty for each route)`,
    },
    uncachedP95Ms: {
      value: p95(uncached),
      unit: 'ms',
      how: `${uncachedRoute} with the cache off: the authorizer (a GetItem of the token's hash in dynalite) before every request; the same route open right after: ${p95(uncachedOpen).toFixed(1)} ms`,
    },
    uncachedRps: {
      value: (perRoute / uncached.elapsedMs) * 1000,
      unit: 'req/s',
      how: `${uncachedRoute}: the same run`,
    },
  };
}

export async function benchApi(
  quick: boolean,
  opts: { tokens?: boolean } = {},
): Promise<{ api: Section; build: Section; tokens?: Section }> {
  // The SPEC's graph is 100,000 users; --quick (a smoke run, under a few minutes) uses 20,000, because
  // building the graph is bound by dynalite's ~3,000 item writes per second on this machine.
  const users = quick ? 20_000 : 100_000;
  const batches = quick ? 2 : 3;
  const rt = await startBenchRuntime();
  try {
    const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
    const producer = new StreamProducer(kinesis, rt.streamName);
    const gen = new MixedGenerator({
      users,
      seed: 51,
      maxInitialFriends: 20,
      families: ['social', 'marketplace', 'posts'],
    });
    const startMs = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
    let events = 0;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const batch = gen.nextBatch(startMs + b * 60_000);
      events += batch.length;
      await producer.send(batch);
    }
    await rt.drain(900_000);
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    await rt.snapshotNow();
    const snapMs = performance.now() - t1;
    kinesis.destroy();

    const perRoute = quick ? 1_000 : 3_000;
    const plan = apiPlan(rt.apiUrl, gen.userCount, startMs, perRoute);
    const { results, client } = await runLoad(plan);
    const clientHow =
      client === 'c'
        ? 'a separate wrk-like load process in C (bench/load-client.c, epoll)'
        : 'a separate wrk-like load process in Node (bench/load-client.mjs: no C compiler found)';
    const api: Record<string, Record<string, Figure>> = {};
    for (const r of ROUTES) {
      const res = results[r.id];
      const errors = Object.entries(res.statuses).filter(([s]) => Number(s) >= 500);
      if (errors.length > 0) throw new Error(`${r.id}: 5xx answers ${JSON.stringify(res.statuses)}`);
      api[r.id] = {
        p95Ms: {
          value: percentile(res.latenciesMs, 95),
          unit: 'ms',
          // A catalogue write waits for the processor's commit of its event (SPEC 11): not a read's target.
          target: COMMIT_WAITING.has(r.id) ? 'waits for the commit' : '< 50',
          how: `${perRoute} requests from ${CLIENTS} concurrent keep-alive connections of ${clientHow} (requests written pre-serialized); before the clock starts, every read route is warmed once and then this route with ${4 * CLIENTS} requests about other users; ${r.method} ${r.path}; median ${percentile(res.latenciesMs, 50).toFixed(1)} ms`,
        },
        rps: { value: (perRoute / res.elapsedMs) * 1000, unit: 'req/s', how: `${r.id}: the same run` },
      };
    }
    const tokens = opts.tokens === false ? undefined : await tokensPass(rt, plan, perRoute);
    return {
      api,
      ...(tokens ? { tokens } : {}),
      build: {
        graphUsers: {
          value: gen.userCount,
          unit: 'users',
          how: `the graph the API answered from (${batches} generated batches)`,
        },
        graphEvents: { value: events, unit: 'events', how: 'events folded to build that graph' },
        loadSec: { value: loadMs / 1000, unit: 's', how: 'time to push those events through the pipeline' },
        snapshotSec: { value: snapMs / 1000, unit: 's', how: 'one snapshot run rolling up the whole graph' },
      },
    };
  } finally {
    await rt.stop();
  }
}
