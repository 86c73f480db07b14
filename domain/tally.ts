// Outcome counters as /meta/pipeline reports them.
import { type Outcome, REJECT_REASONS, type RejectReason } from './graph';

export interface Tally {
  applied: number;
  noop: number;
  rejected: number;
  rejectedByReason: Record<RejectReason, number>;
}

export function emptyTally(): Tally {
  const rejectedByReason = {} as Record<RejectReason, number>;
  for (const r of REJECT_REASONS) rejectedByReason[r] = 0;
  return { applied: 0, noop: 0, rejected: 0, rejectedByReason };
}

export function count(t: Tally, o: Outcome): void {
  if (o === 'applied') t.applied++;
  else if (o === 'noop') t.noop++;
  else {
    t.rejected++;
    t.rejectedByReason[o]++;
  }
}

export function addTally(into: Tally, t: Tally): Tally {
  into.applied += t.applied;
  into.noop += t.noop;
  into.rejected += t.rejected;
  for (const r of REJECT_REASONS) into.rejectedByReason[r] += t.rejectedByReason[r] ?? 0;
  return into;
}
