// GET /meta/snapshots: what the rollups cover.
import { BUCKET_MS, toIso } from '../domain/time';
import type { SnapshotState } from '../storage/snapshot-store';
import { LEVELS_MS } from './range';

export interface SnapshotView {
  resolutionMs: number;
  /** start of the earliest 5-second bucket with data */
  earliest: string | null;
  /** start of the latest 5-second bucket with data */
  latest: string | null;
  coveredUntil: string | null;
  lastBuiltAt: string | null;
  /** 5-second buckets with data */
  buckets: number;
  /** rollup blocks kept per level (the finest level's count is `buckets`) */
  levels: { resolutionMs: number; blocks: number }[];
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : toIso(ms));

export function snapshotView(s: SnapshotState): SnapshotView {
  return {
    resolutionMs: BUCKET_MS,
    earliest: isoOrNull(s.earliest),
    latest: isoOrNull(s.latest),
    coveredUntil: isoOrNull(s.coveredUntil),
    lastBuiltAt: isoOrNull(s.lastBuiltAt),
    buckets: s.buckets[BUCKET_MS] ?? 0,
    levels: LEVELS_MS.map((l) => ({ resolutionMs: l, blocks: s.buckets[l] ?? 0 })),
  };
}
