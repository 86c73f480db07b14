// Response shapes of the HTTP API (SPEC section 5), as the dashboard reads them.

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export interface UserProfile {
  name: string;
  registeredAt: string;
  referredBy: string | null;
  friendsCount: number;
  referralsCount: number;
  networkStrength: number;
  referralPoints: number;
}

export type NodeRelation = 'self' | 'referrer' | 'referred' | 'friend';
export type EdgeType = 'referral' | 'friendship';

export interface UserNetwork {
  name: string;
  nodes: { name: string; relation: NodeRelation }[];
  edges: { from: string; to: string; type: EdgeType }[];
}

export interface FriendsPage {
  total: number;
  items: { name: string; since: string }[];
  nextCursor: string | null;
}

export interface TopFriends {
  items: { name: string; networkStrength: number; referralPoints: number; score: number }[];
}

export interface ReferralSeries {
  name: string;
  from: string;
  to: string;
  interval: string;
  count: number;
  series: { start: string; count: number; cumulative: number }[];
}

export interface FriendsCountSeries {
  name: string;
  from: string;
  to: string;
  interval: string;
  atStart: number;
  atEnd: number;
  added: number;
  removed: number;
  series: { start: string; count: number }[];
}

export type Metric = 'network-strength' | 'referral-points';
export const METRICS: readonly Metric[] = ['network-strength', 'referral-points'];
export const METRIC_LABEL: Record<Metric, string> = {
  'network-strength': 'Network strength',
  'referral-points': 'Referral points',
};

export interface Leaderboard {
  metric: Metric;
  from: string | null;
  to: string;
  items: { rank: number; name: string; value: number }[];
}

export interface UsersPage {
  total: number;
  items: string[];
  nextCursor: string | null;
}

export interface SnapshotsMeta {
  resolutionMs: number;
  earliest: string | null;
  latest: string | null;
  coveredUntil: string | null;
  lastBuiltAt: string | null;
  buckets: number;
}

export interface PipelineMeta {
  applied: number;
  noop: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  lastSequenceNumber: string | null;
  lastEventAt: string | null;
  /** Not in the SPEC's table, but answered by this project's route; shown when present. */
  users?: number;
  batches?: number;
}

export interface Rejections {
  items: { reason: string; event: unknown; sequenceNumber: string }[];
  nextCursor: string | null;
}
