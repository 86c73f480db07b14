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
import { MAX_TIME_MS, MIN_TIME_MS, parseInstant, toCompact } from '../../domain/time';
import type { LocalRuntime } from '../../local/runtime';
import * as S from '../../queries/schemas';
import { INTERVALS, MAX_POINTS } from '../../queries/series';
import { ReferenceModel } from '../reference/model';
import { startTestRuntime } from '../support/runtime';
import { checkUserSeries, getJson } from '../support/series-check';

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

const get = (path: string) => getJson(rt.apiUrl, path);
const checkBoth = (name: string, q: { from?: number; to?: number }) =>
  checkUserSeries(rt.apiUrl, model, name, q);

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
