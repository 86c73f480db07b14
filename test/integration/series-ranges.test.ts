// GET /users/{name}/referrals and /friends-count against the reference model, through the local
// runtime's gateway and the real handlers, for every user of a generated stream (plus users
// registered in the years 0500, 1970 and 2999): ranges that end before, at and after each
// registration, with and without `from`, and no parameter at all. A missing `from` is the beginning of
// time: never a 400, and nothing of the user's figures lies before the range the answer says it
// answered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RawEvent } from '../../domain/events';
import { generateEvents } from '../../domain/generator';
import { bucketCeil, bucketOf, MAX_TIME_MS, MIN_TIME_MS, parseInstant, toCompact } from '../../domain/time';
import type { LocalRuntime } from '../../local/runtime';
import * as S from '../../queries/schemas';
import { INTERVALS, MAX_POINTS } from '../../queries/series';
import { ReferenceModel } from '../reference/model';
import { startTestRuntime } from '../support/runtime';

let rt: LocalRuntime;
let model: ReferenceModel;

const at = (iso: string) => toCompact(Date.parse(iso));
const EXTRA: RawEvent[] = [
  { type: 'register', name: 'ancient', created_at: '05000601T120000000Z' },
  { type: 'register', name: 'early', created_at: at('1970-01-01T00:00:01.000Z') },
  { type: 'register', name: 'early2', created_at: at('1970-01-01T00:00:10.000Z') },
  { type: 'referral', referredBy: 'early', user: 'early2', created_at: at('1971-03-01T00:00:00.000Z') },
  {
    type: 'addfriend',
    user1_name: 'early',
    user2_name: 'user00001',
    created_at: at('1975-01-01T00:00:00.000Z'),
  },
  { type: 'addfriend', user1_name: 'ancient', user2_name: 'early', created_at: '06000101T000000000Z' },
  { type: 'register', name: 'late', created_at: at('2999-01-01T00:00:00.000Z') },
  {
    type: 'addfriend',
    user1_name: 'late',
    user2_name: 'user00002',
    created_at: at('2999-01-02T00:00:00.000Z'),
  },
];

before(async () => {
  rt = await startTestRuntime();
  const events = [...generateEvents({ users: 24, seed: 3, batches: 4 }), ...EXTRA];
  const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(events) });
  assert.equal(res.status, 202);
  await rt.drain();
  model = ReferenceModel.fromItems(events);
  assert.equal(model.totals().rejected, 0);
});

after(async () => {
  await rt?.stop();
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${rt.apiUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

/** Both routes for one query: a 200, equal to the model over the range the answer names. */
async function checkBoth(name: string, q: { from?: number; to?: number }): Promise<void> {
  const params = new URLSearchParams();
  if (q.from !== undefined) params.set('from', String(q.from));
  if (q.to !== undefined) params.set('to', String(q.to));
  const u = encodeURIComponent(name);
  const label = `${name} ${params}`;
  const query = params.size > 0 ? `?${params}` : '';

  const rf = await get(`/users/${u}/referrals${query}`);
  assert.equal(rf.status, 200, `referrals ${label}: ${JSON.stringify(rf.body)}`);
  const referrals = S.ReferralsSchema.parse(rf.body);
  const fc = await get(`/users/${u}/friends-count${query}`);
  assert.equal(fc.status, 200, `friends-count ${label}: ${JSON.stringify(fc.body)}`);
  const friends = S.FriendsCountSchema.parse(fc.body);

  for (const answer of [referrals, friends]) {
    const from = parseInstant(answer.from) as number;
    const to = parseInstant(answer.to) as number;
    assert.ok(from < to, label);
    assert.ok(answer.series.length <= MAX_POINTS, label);
    if (q.to !== undefined) assert.equal(to, bucketCeil(q.to) + 0, `${label}: the answered to`);
    if (q.from !== undefined) assert.equal(from, bucketOf(q.from) + 0, `${label}: the answered from`);
  }
  const ms = (i: keyof typeof INTERVALS) => INTERVALS[i];
  const iso = (t: number) => new Date(t).toISOString();

  const rFrom = parseInstant(referrals.from) as number;
  const rTo = parseInstant(referrals.to) as number;
  const wantR = model.referralSeries(name, rFrom, rTo, ms(referrals.interval));
  assert.deepEqual(
    referrals,
    {
      name,
      from: iso(wantR.from),
      to: iso(wantR.to),
      interval: referrals.interval,
      count: wantR.count,
      series: wantR.series.map((p) => ({ start: iso(p.start), count: p.count, cumulative: p.cumulative })),
    },
    `referrals ${label}`,
  );
  const fFrom = parseInstant(friends.from) as number;
  const fTo = parseInstant(friends.to) as number;
  const wantF = model.friendsCountSeries(name, fFrom, fTo, ms(friends.interval));
  assert.deepEqual(
    friends,
    {
      name,
      from: iso(wantF.from),
      to: iso(wantF.to),
      interval: friends.interval,
      atStart: wantF.atStart,
      atEnd: wantF.atEnd,
      added: wantF.added,
      removed: wantF.removed,
      series: wantF.series.map((p) => ({ start: iso(p.start), count: p.count })),
    },
    `friends-count ${label}`,
  );
  if (q.from === undefined) {
    // From the beginning of time: nothing of the user's lies before the range answered, unless the
    // series had to be cut to the last 1,000 daily points (a history spanning centuries).
    const cut = referrals.interval === '1d' && referrals.series.length === MAX_POINTS;
    const first = wantR.series[0];
    if (!cut) assert.equal(first.cumulative - first.count, 0, `${label}: referrals before the answered from`);
    if (!(friends.interval === '1d' && friends.series.length === MAX_POINTS)) {
      assert.equal(wantF.atStart, 0, `${label}: friends before the answered from`);
    }
  }
}

describe('per-user series against the reference, for ranges around each registration', () => {
  it('ranges ending before, at and after each registration, with and without from, answer 200 and equal the model', async () => {
    const names = model.names();
    assert.ok(names.length >= 30);
    for (const name of names) {
      const reg = model.profile(name)?.registeredAt as number;
      const ends = [reg - 60_000, reg - 1, reg, reg + 1, reg + 3_600_000].filter(
        (t) => t >= MIN_TIME_MS && t <= MAX_TIME_MS,
      );
      // A from a day before the registration (no earlier than the earliest instant allowed), or none.
      const from = Math.max(MIN_TIME_MS, reg - 86_400_000);
      await Promise.all(ends.flatMap((to) => [checkBoth(name, { to }), checkBoth(name, { from, to })]));
    }
  });

  it('no parameter at all answers 200 for every user, registered in 0500, 1970, 2025 or 2999', async () => {
    for (const name of model.names()) {
      await checkBoth(name, {});
    }
    // The 1970 and 0500 users' histories span too long for 1,000 daily points: the answer keeps its
    // end (now) and covers the last 1,000 days, and still equals the model over that range.
    for (const name of ['ancient', 'early', 'early2']) {
      const body = S.FriendsCountSchema.parse((await get(`/users/${name}/friends-count`)).body);
      assert.equal(body.interval, '1d');
      assert.equal(body.series.length, MAX_POINTS);
      const from = parseInstant(body.from) as number;
      const to = parseInstant(body.to) as number;
      const want = model.friendsCountSeries(name, from, to, INTERVALS['1d']);
      assert.equal(body.atStart, want.atStart);
      assert.equal(body.atEnd, want.atEnd);
      assert.equal(body.atEnd, model.profile(name)?.friendsCount);
    }
  });

  it('query instants before 1970 are accepted as events are: a range around the 1970 friendship', async () => {
    const from = Date.parse('1974-12-31T00:00:00.000Z');
    const to = Date.parse('1975-01-02T00:00:00.000Z');
    for (const f of [String(from), '1974-12-31T00:00:00Z', '19741231T000000Z']) {
      const r = await get(`/users/early/friends-count?from=${f}&to=${to}&interval=1d`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const body = S.FriendsCountSchema.parse(r.body);
      assert.deepEqual(
        { atStart: body.atStart, atEnd: body.atEnd, added: body.added },
        { atStart: 1, atEnd: 2, added: 1 },
      );
    }
    const lb = await get(`/leaderboards/network-strength?from=${from}&to=${to}`);
    assert.equal(lb.status, 200, JSON.stringify(lb.body));
    const before1970 = await get(`/users/ancient/referrals?from=-46000000000000&to=0`);
    assert.equal(before1970.status, 200, JSON.stringify(before1970.body));
  });
});
