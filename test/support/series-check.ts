// GET /users/{name}/referrals and /friends-count for one query, compared with the reference model
// over the range each answer says it answered.
import assert from 'node:assert/strict';
import { bucketCeil, bucketOf, parseInstant } from '../../domain/time';
import * as S from '../../queries/schemas';
import { INTERVALS, MAX_POINTS } from '../../queries/series';
import type { ReferenceModel } from '../reference/model';

export async function getJson(apiUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

/** Both routes for one query: a 200, equal to the model over the range the answer names. */
export async function checkUserSeries(
  apiUrl: string,
  model: ReferenceModel,
  name: string,
  q: { from?: number; to?: number; interval?: string },
): Promise<void> {
  const params = new URLSearchParams();
  if (q.from !== undefined) params.set('from', String(q.from));
  if (q.to !== undefined) params.set('to', String(q.to));
  if (q.interval !== undefined) params.set('interval', q.interval);
  const u = encodeURIComponent(name);
  const label = `${name} ${params}`;
  const query = params.size > 0 ? `?${params}` : '';

  const rf = await getJson(apiUrl, `/users/${u}/referrals${query}`);
  assert.equal(rf.status, 200, `referrals ${label}: ${JSON.stringify(rf.body)}`);
  const referrals = S.ReferralsSchema.parse(rf.body);
  const fc = await getJson(apiUrl, `/users/${u}/friends-count${query}`);
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
