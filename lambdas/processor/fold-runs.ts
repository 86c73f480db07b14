// The fold of one chunk: every event, in stream order within its family, to the family of its kind;
// outcomes counted per kind, applied events counted per (bucket, kind) for the event frequencies,
// rejections kept in stream order. The one loop the processor runs between loading a chunk and
// writing it (batch-processor.ts), and the one the mixed fold benchmark (bench/fold.ts) measures.
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
 *
 * Families share no state (none consults another's), so each family's events are folded in stream
 * order one family after the other: an event's outcome is the same as in one interleaved pass, and
 * each family's loop keeps its own data in the caches (the mixed fold, docs/performance.md). What
 * does depend on the order across families is put back in it: rejections are listed in stream order,
 * and `lastEventAt` is the time of the last event (in the stream) that was not malformed.
 */
export function foldRuns(
  parts: readonly FamilyChunk[],
  runs: readonly Run[],
  lastEventAt: number | null,
): FoldedRuns {
  const counts = new KindTally();
  const kinds = new KindCounter();
  let total = 0;
  for (let r = 0; r < runs.length; r++) total += runs[r].values.length;
  // Each event's kind index and family (-1: no kind known), by its ordinal in the chunk.
  const kindOf = new Int16Array(total);
  const familyOf = new Int8Array(total);
  const present = new Uint8Array(parts.length);
  let unknown = false;
  let o = 0;
  for (let r = 0; r < runs.length; r++) {
    const values = runs[r].values;
    for (let i = 0; i < values.length; i++, o++) {
      const kind = eventKind(values[i]);
      const k = typeof kind === 'string' ? (KIND_INDEX.get(kind) ?? -1) : -1;
      kindOf[o] = k;
      if (k < 0) {
        familyOf[o] = -1;
        unknown = true;
      } else {
        const f = KINDS[k].family;
        familyOf[o] = f;
        present[f] = 1;
      }
    }
  }
  // Rejections with their ordinal, to be put in stream order at the end.
  const rejected: { at: number; rejection: Rejection }[] = [];
  const reject = (at: number, reason: string, run: Run, i: number) =>
    rejected.push({
      at,
      rejection: { reason, event: keepRejected(run.values[i]), sequenceNumber: run.seq, index: run.from + i },
    });
  let lastAt = -1;
  for (let f = 0; f < parts.length; f++) {
    if (present[f] === 0) continue;
    const part = parts[f];
    let familyLast = -1;
    let familyEventAt = 0;
    o = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r];
      const values = run.values;
      for (let i = 0; i < values.length; i++, o++) {
        if (familyOf[o] !== f) continue;
        const k = kindOf[o];
        const kind = KINDS[k].kind;
        const outcome = part.apply(kind, values[i], run.arrivalMs, run.seq, run.from + i);
        if (outcome !== 'malformed') {
          familyLast = o;
          familyEventAt = part.eventAt;
        }
        if (outcome === 'applied') kinds.add(bucketOf(part.eventAt), kind);
        counts.add(k, outcome);
        if (outcome !== 'applied' && outcome !== 'noop') reject(o, outcome, run, i);
      }
    }
    if (familyLast > lastAt) {
      lastAt = familyLast;
      lastEventAt = familyEventAt;
    }
  }
  if (unknown) {
    o = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r];
      for (let i = 0; i < run.values.length; i++, o++) {
        if (familyOf[o] >= 0) continue;
        counts.add(-1, 'malformed');
        reject(o, 'malformed', run, i);
      }
    }
  }
  rejected.sort((a, b) => a.at - b.at);
  return { counts, kinds, rejections: rejected.map((x) => x.rejection), lastEventAt };
}
