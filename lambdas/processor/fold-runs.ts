// The fold of one chunk: every event, in stream order, to the family of its kind; outcomes counted per
// kind, applied events counted per (bucket, kind) for the event frequencies, rejections kept. The one
// loop the processor runs between loading a chunk and writing it (batch-processor.ts), and the one the
// mixed fold benchmark (bench/fold.ts) measures.
import { eventKind } from '../../domain/event-kind';
import { KIND_INDEX, KINDS } from '../../domain/families';
import { KindCounter } from '../../domain/figures';
import { Unreadable } from '../../domain/records';
import { KindTally } from '../../domain/tally';
import { bucketOf } from '../../domain/time';
import type { Rejection } from '../../storage/pipeline-store';
import type { FamilyChunk, Run } from './family-chunk';

/** Largest rejected event kept verbatim; bigger ones are kept as a truncated JSON string. */
const MAX_REJECTED_EVENT_CHARS = 2_048;

function keepRejected(item: unknown): unknown {
  if (item instanceof Unreadable) return item.raw;
  const text = JSON.stringify(item) ?? String(item);
  return text.length > MAX_REJECTED_EVENT_CHARS ? `${text.slice(0, MAX_REJECTED_EVENT_CHARS)}…` : item;
}

export interface FoldedRuns {
  /** outcomes per kind */
  counts: KindTally;
  /** applied events per (bucket, kind) */
  kinds: KindCounter;
  rejections: Rejection[];
  /** the time of the last event that was not malformed (`lastEventAt` as given when none) */
  lastEventAt: number | null;
}

/**
 * Folds `runs` through `parts` (one per family, in registry order, as the families' `begin` gave
 * them). `lastEventAt` is the pipeline's before the chunk.
 */
export function foldRuns(
  parts: readonly FamilyChunk[],
  runs: readonly Run[],
  lastEventAt: number | null,
): FoldedRuns {
  const counts = new KindTally();
  const rejections: Rejection[] = [];
  const kinds = new KindCounter();
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r];
    const values = run.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const kind = eventKind(v);
      const k = typeof kind === 'string' ? (KIND_INDEX.get(kind) ?? -1) : -1;
      let outcome: string;
      if (k < 0) outcome = 'malformed';
      else {
        const part = parts[KINDS[k].family];
        outcome = part.apply(kind as string, v, run.arrivalMs, run.seq, run.from + i);
        if (outcome !== 'malformed') lastEventAt = part.eventAt;
        if (outcome === 'applied') kinds.add(bucketOf(part.eventAt), kind as string);
      }
      counts.add(k, outcome);
      if (outcome !== 'applied' && outcome !== 'noop') {
        rejections.push({
          reason: outcome,
          event: keepRejected(v),
          sequenceNumber: run.seq,
          index: run.from + i,
        });
      }
    }
  }
  return { counts, kinds, rejections, lastEventAt };
}
