// GET /meta/pipeline: the processor's outcome counters and stream position.
import { toIso } from '../domain/time';
import type { PipelineState } from '../storage/pipeline-store';

export interface PipelineView {
  applied: number;
  noop: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  byFamily: Record<string, { applied: number; noop: number; rejected: number }>;
  byType: Record<string, number>;
  lastSequenceNumber: string | null;
  lastEventAt: string | null;
  batches: number;
  users: number;
  /** marked records skipped as a producer's resend of a record already folded */
  resentRecords: number;
}

export function pipelineView(s: PipelineState): PipelineView {
  return {
    applied: s.tally.applied,
    noop: s.tally.noop,
    rejected: s.tally.rejected,
    rejectedByReason: s.tally.rejectedByReason,
    byFamily: s.tally.byFamily,
    byType: s.tally.byType,
    lastSequenceNumber: s.lastSequenceNumber,
    lastEventAt: s.lastEventAt === null ? null : toIso(s.lastEventAt),
    batches: s.batches,
    users: s.counters.users ?? 0,
    resentRecords: s.resentRecords ?? 0,
  };
}
