// Per-user answers (SPEC section 5) from committed user items. Pure: the caller loads the items.

import { compareNames } from '../domain/name-list';
import { toIso } from '../domain/time';
import { friendsOf, referralsOf, strengthOf, type UserItem } from '../storage/user-item';
import { encodeNameCursor } from './cursor';

export interface ProfileView {
  name: string;
  registeredAt: string;
  referredBy: string | null;
  friendsCount: number;
  referralsCount: number;
  networkStrength: number;
  referralPoints: number;
}

export function profileView(item: UserItem): ProfileView {
  return {
    name: item.pk,
    registeredAt: toIso(item.ra),
    referredBy: item.rb ?? null,
    friendsCount: item.fc,
    referralsCount: item.rc,
    networkStrength: strengthOf(item),
    referralPoints: item.pts,
  };
}

export type Relation = 'self' | 'referrer' | 'referred' | 'friend';

export interface NetworkView {
  name: string;
  nodes: { name: string; relation: Relation }[];
  edges: { from: string; to: string; type: 'referral' | 'friendship' }[];
}

/**
 * The user's one-hop network. Each neighbour is one node; a neighbour that is both a friend and in a
 * referral relation with the user is listed with its referral relation (the rarer, permanent one),
 * and both of its edges are present, so no relation is lost. Order: self, the referrer, referred
 * users by name, the remaining friends by name; edges: the referral into the user, the user's
 * referrals by name, then friendships by name.
 */
export function networkView(item: UserItem): NetworkView {
  const name = item.pk;
  const nodes: NetworkView['nodes'] = [{ name, relation: 'self' }];
  const edges: NetworkView['edges'] = [];
  const listed = new Set<string>([name]);
  if (item.rb !== undefined) {
    nodes.push({ name: item.rb, relation: 'referrer' });
    listed.add(item.rb);
    edges.push({ from: item.rb, to: name, type: 'referral' });
  }
  const referred = referralsOf(item)
    .map(([n]) => n)
    .sort(compareNames);
  for (const r of referred) {
    nodes.push({ name: r, relation: 'referred' });
    listed.add(r);
    edges.push({ from: name, to: r, type: 'referral' });
  }
  for (const [f] of friendsOf(item)) {
    if (!listed.has(f)) nodes.push({ name: f, relation: 'friend' });
    edges.push({ from: name, to: f, type: 'friendship' });
  }
  return { name, nodes, edges };
}

export interface FriendsPage {
  total: number;
  items: { name: string; since: string }[];
  nextCursor: string | null;
}

/** One page of the user's friends by name ascending, starting after the name `after`. */
export function friendsPage(item: UserItem, limit: number, after: string | null): FriendsPage {
  const all = friendsOf(item);
  let lo = 0;
  if (after !== null) {
    // First friend whose name sorts after the cursor (which may have been unfriended since).
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid][0] <= after) lo = mid + 1;
      else hi = mid;
    }
  }
  const page = all.slice(lo, lo + limit);
  const more = lo + limit < all.length;
  return {
    total: all.length,
    items: page.map(([name, since]) => ({ name, since: toIso(since) })),
    nextCursor: more && page.length > 0 ? encodeNameCursor(page[page.length - 1][0]) : null,
  };
}

/** What top-friends needs of a friend's item (a projection of the graph item). */
export type FriendFigures = Pick<UserItem, 'pk' | 'fc' | 'rc' | 'rb' | 'pts'>;

export interface TopFriend {
  name: string;
  networkStrength: number;
  referralPoints: number;
  score: number;
}

/** Friends ranked by current network strength + all-time referral points, then by name. */
export function topFriends(friends: Iterable<FriendFigures>, limit: number): TopFriend[] {
  const figures: Omit<TopFriend, 'score'>[] = [];
  for (const f of friends) {
    const networkStrength = f.fc + f.rc + (f.rb === undefined ? 0 : 1);
    figures.push({ name: f.pk, networkStrength, referralPoints: f.pts });
  }
  return rankFriends(figures, limit);
}

/** The same ranking from figures already known (score = strength + points). */
export function rankFriends(friends: Iterable<Omit<TopFriend, 'score'>>, limit: number): TopFriend[] {
  const out: TopFriend[] = [];
  for (const f of friends) out.push({ ...f, score: f.networkStrength + f.referralPoints });
  out.sort((a, b) => b.score - a.score || compareNames(a.name, b.name));
  return out.slice(0, limit);
}
