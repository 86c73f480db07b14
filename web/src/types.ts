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
  /** The user's marketplace profile (null without one); absent from an API that predates it. */
  profile?: MarketProfile | null;
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

// ---- marketplace (products, ratings, activity, event frequencies) -----------------------------------

export interface MarketProfile {
  displayName: string | null;
  /** absent for a token without the admin ability (tokens on) */
  email?: string | null;
}

export interface ProductsPage {
  total: number;
  items: { productId: string; name: string | null; category: string | null }[];
  nextCursor: string | null;
}

export interface Product {
  productId: string;
  name: string | null;
  category: string | null;
  cost: number | null;
  description: string | null;
  firstSeenAt: string;
  sales: { orders: number; units: number; revenue: number };
  ratings: { count: number; average: number | null };
  interactions: { total: number; byAction: Record<string, number> };
}

export interface SalesSeries {
  productId: string;
  from: string;
  to: string;
  interval: string;
  orders: number;
  units: number;
  revenue: number;
  series: { start: string; orders: number; units: number; revenue: number }[];
}

export type Star = '1' | '2' | '3' | '4' | '5';
export const STARS: readonly Star[] = ['1', '2', '3', '4', '5'];

export interface RatingsSeries {
  productId: string;
  from: string;
  to: string;
  interval: string;
  count: number;
  average: number | null;
  distribution: Record<Star, number>;
  series: { start: string; count: number; average: number | null }[];
}

export type ProductMetric = 'revenue' | 'units' | 'orders' | 'interactions' | 'rating';
/** The boards the products page shows, in its order. */
export const PRODUCT_BOARDS: readonly ProductMetric[] = ['revenue', 'units', 'interactions', 'rating'];
export const PRODUCT_METRIC_LABEL: Record<ProductMetric, string> = {
  revenue: 'Revenue',
  units: 'Units sold',
  orders: 'Orders',
  interactions: 'Interactions',
  rating: 'Average rating',
};

export interface ProductLeaderboard {
  metric: ProductMetric;
  from: string | null;
  to: string;
  items: { rank: number; productId: string; name: string | null; value: number }[];
}

export interface UserActivity {
  name: string;
  from: string;
  to: string;
  interval: string;
  interactions: number;
  byAction: Record<string, number>;
  bySource: Record<string, number>;
  purchases: { orders: number; units: number; revenue: number };
  ratings: { count: number; average: number | null };
  series: { start: string; interactions: number }[];
}

export interface EventFrequencies {
  from: string;
  to: string;
  interval: string;
  total: number;
  byType: Record<string, number>;
  byAction: Record<string, number>;
  series: { start: string; total: number; byType: Record<string, number> }[];
}

// ---- posts (a writer's posts, their figures, the writers boards) ------------------------------------

export interface Post {
  postId: string;
  user: string;
  createdAt: string;
  content: string;
  wordCount: number;
  /** total word length / word count, unrounded; null for a post with no word */
  averageWordLength: number | null;
}

export interface UserPostsPage {
  total: number;
  items: { postId: string; createdAt: string; wordCount: number; averageWordLength: number | null }[];
  nextCursor: string | null;
}

export interface PostsStats {
  from: string;
  to: string;
  interval: string;
  user: string | null;
  posts: number;
  words: number;
  averageWordLength: number | null;
  series: { start: string; posts: number; words: number; averageWordLength: number | null }[];
}

export type WriterMetric = 'posts' | 'words';
export const WRITER_METRICS: readonly WriterMetric[] = ['posts', 'words'];
export const WRITER_METRIC_LABEL: Record<WriterMetric, string> = { posts: 'Posts', words: 'Words' };

export interface WritersBoard {
  metric: WriterMetric;
  from: string | null;
  to: string;
  items: { rank: number; name: string; value: number }[];
}
