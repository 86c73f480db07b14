// Folds one Kinesis batch into the graph, exactly once in effect.
//
// 1. Read the pipeline state. If an earlier attempt left a pending batch, finish it (or discard it)
//    first.
// 2. Skip what is at or before the checkpoint (already applied: a replay): whole records before the
//    checkpoint's record undecoded, and the applied events of the checkpoint's record; decode the rest.
//    Of the records after it, a marked one whose producer's record was already folded (a producer's
//    resend, domain/marks.ts) is skipped without decoding; the marks book commits with the checkpoint.
// 3. Each family loads what the chunk's events of its kinds name (the social family: every user, and
//    the referral ancestors of every referral's users; lambdas/processor/family-chunk.ts).
// 4. Fold in stream order, in memory, each event by the family of its kind.
// 5. Write, in this order: the state with a pending marker (which carries the state after the batch);
//    the journal and the rejections; the redo log (every item the batch will put); the user items
//    and name-index items, each once; the committed state.
// Once the redo log is complete the batch is decided: a crash after that point is finished from the
// log by the next attempt, whatever records that attempt was given. A crash before it leaves nothing
// but orphaned journal or rejection chunks, which the next attempt deletes, and folds again.
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EVENT_FIGURES, type FigureDeltas } from '../../domain/figures';
import { MarkBook, parseMark } from '../../domain/marks';
import { indexOf, ORIGIN, position } from '../../domain/position';
import { decodeRecord } from '../../domain/records';
import { addTally, emptyTally, type Tally } from '../../domain/tally';
import { PIPELINE_TOPIC } from '../../queries/live';
import { pipelineView } from '../../queries/pipeline';
import { batchWrite, settleAll, type WriteRequest } from '../../storage/batch-io';
import { writeLiveDigest } from '../../storage/live-store';
import { type PipelineState, PipelineStore, type RedoPut } from '../../storage/pipeline-store';
import { processorFamilies } from './families';
import type { FamilyChunk, ProcessorFamily, Run } from './family-chunk';
import { foldRuns } from './fold-runs';

export interface StreamRecord {
  sequenceNumber: string;
  data: Uint8Array;
  /** The record's partition key: a producer's mark (domain/marks.ts), or anything (unmarked). */
  partitionKey?: string;
  /**
   * ApproximateArrivalTimestamp (epoch ms): the time of an event that carries no created_at (absent in
   * records built by hand: taken as the latest seen).
   */
  arrivalMs?: number;
}

export interface ProcessorDeps {
  doc: DynamoDBDocumentClient;
  tables: { graph: string; history: string; meta: string };
  /** Default MAX_EVENTS_PER_COMMIT. */
  maxEventsPerCommit?: number;
  /** Warm-cache budget in entries (users + their friends, referrals and history cells). */
  cacheEntries?: number;
  /** Called at each phase boundary of a commit (the benchmark samples the heap there). */
  onPhase?: (phase: 'loaded' | 'folded' | 'written') => void;
}

export interface BatchSummary {
  records: number;
  /**
   * Records wholly before the checkpoint's record: a replay, skipped without decoding (so their events
   * are not counted).
   */
  skippedRecords: number;
  /** Events at or before the checkpoint inside the checkpoint's own record: a replay, skipped. */
  skippedEvents: number;
  /** marked records skipped as a producer's resend of a record already folded */
  resent: number;
  tally: Tally;
  firstPosition: string | null;
  lastPosition: string | null;
  /** entity items (users, products, ...) the batch wrote */
  itemsWritten: number;
  /** entity items taken from a family's warm cache instead of read */
  itemsFromCache: number;
  itemWrites: number;
  /** chunks committed (see MAX_EVENTS_PER_COMMIT) */
  commits: number;
  recovered: boolean;
  /** set when a chunk after the first failed: the first record not committed */
  failedAtSequenceNumber: string | null;
  error?: string;
  /** set when a committed chunk's live digest could not be written (its subscribers miss it) */
  liveError?: string;
  durationsMs: { load: number; fold: number; write: number };
}

/**
 * Most events folded and committed as one unit. A Lambda batch holds up to 6 MB of records, and a
 * packed record can carry ~200,000 events, so one invocation may see a million events: it commits
 * them in chunks of about this many, which bounds the processor's memory.
 */
export const MAX_EVENTS_PER_COMMIT = 250_000;

/** Events of a chunk, kept as runs per record (no per-event wrapper object on the hot path). */
interface Chunk {
  runs: Run[];
  events: number;
  /** index of the chunk's first record in the batch (for a partial batch failure) */
  firstRecord: number;
  /** records skipped as resends; they commit with the chunk (count and checkpoint) */
  resent: number;
  /** position of the chunk's end: its last event, or past a resent record that came after it */
  end: string;
  /** sequence number of the chunk's last record */
  endSeq: string;
}

/** Index of a checkpoint past every event of a record (a resent record, skipped whole). */
const PAST_RECORD = 99_999_999;

function emptyChunk(firstRecord: number): Chunk {
  return { runs: [], events: 0, firstRecord, resent: 0, end: '', endSeq: '' };
}

function emptySummary(records: number): BatchSummary {
  return {
    records,
    skippedRecords: 0,
    skippedEvents: 0,
    resent: 0,
    tally: emptyTally(),
    firstPosition: null,
    lastPosition: null,
    itemsWritten: 0,
    itemsFromCache: 0,
    itemWrites: 0,
    commits: 0,
    recovered: false,
    failedAtSequenceNumber: null,
    durationsMs: { load: 0, fold: 0, write: 0 },
  };
}

export class BatchProcessor {
  private readonly store: PipelineStore;
  private readonly families: ProcessorFamily[];

  constructor(private readonly deps: ProcessorDeps) {
    this.store = new PipelineStore(deps.doc, deps.tables);
    this.families = processorFamilies({ cacheEntries: deps.cacheEntries });
  }

  /**
   * Folds the records in order. Throws if nothing could be committed (the mapping retries and may
   * bisect); if a later chunk fails after earlier ones committed, returns `failedAtSequenceNumber`
   * so the handler reports a partial batch failure and only the uncommitted tail is redelivered.
   */
  async process(records: StreamRecord[]): Promise<BatchSummary> {
    const summary = emptySummary(records.length);
    let state = await this.store.readState();
    if (state.pending !== null) {
      state = await this.settlePending(state);
      summary.recovered = true;
    }
    const checkpoint = state.checkpoint;
    const cpSeq = checkpoint.slice(0, 64);
    const cpIndex = checkpoint === '' ? -1 : indexOf(checkpoint);
    // Marks of the records folded so far, this batch's included; each chunk commits the book as it is.
    const marks = new MarkBook(state.marks);

    let chunk = emptyChunk(0);
    // A record built without an arrival time (tests) is taken to arrive with the latest one seen.
    let lastArrival = 0;
    for (let r = 0; r < records.length; r++) {
      const rec = records[r];
      const padded = rec.sequenceNumber.padStart(64, '0');
      // A record before the checkpoint's record was wholly applied: a replay, skipped without decoding.
      // In the checkpoint's own record, the events up to the checkpoint's index are skipped.
      if (padded < cpSeq) {
        summary.skippedRecords++;
        continue;
      }
      // After the checkpoint, a marked record already folded is a producer's resend: skipped whole.
      const mark = padded === cpSeq ? null : parseMark(rec.partitionKey);
      if (mark !== null && marks.isResent(mark, rec.arrivalMs)) {
        summary.resent++;
        if (chunk.runs.length === 0 && chunk.resent === 0) chunk.firstRecord = r;
        chunk.resent++;
        chunk.end = position(rec.sequenceNumber, PAST_RECORD);
        chunk.endSeq = rec.sequenceNumber;
        continue;
      }
      const values = decodeRecord(rec.data);
      const from = padded === cpSeq ? cpIndex + 1 : 0;
      summary.skippedEvents += Math.min(from, values.length);
      if (from >= values.length) continue;
      if (
        chunk.events > 0 &&
        chunk.events + values.length - from > (this.deps.maxEventsPerCommit ?? MAX_EVENTS_PER_COMMIT)
      ) {
        state = await this.commitOrReport(chunk, state, marks, summary, records);
        if (summary.failedAtSequenceNumber !== null) return summary;
        chunk = emptyChunk(r);
      }
      if (chunk.runs.length === 0 && chunk.resent === 0) chunk.firstRecord = r;
      if (rec.arrivalMs !== undefined && rec.arrivalMs > lastArrival) lastArrival = rec.arrivalMs;
      chunk.runs.push({
        seq: rec.sequenceNumber,
        from,
        values: from === 0 ? values : values.slice(from),
        arrivalMs: rec.arrivalMs ?? lastArrival,
      });
      chunk.events += values.length - from;
      chunk.end = position(rec.sequenceNumber, values.length - 1);
      chunk.endSeq = rec.sequenceNumber;
      // Noted only now, after the previous chunk committed: the book a chunk commits holds its records.
      if (mark !== null) marks.folded(mark, rec.arrivalMs);
    }
    if (chunk.events > 0 || chunk.resent > 0)
      await this.commitOrReport(chunk, state, marks, summary, records);
    return summary;
  }

  private async commitOrReport(
    chunk: Chunk,
    state: PipelineState,
    marks: MarkBook,
    summary: BatchSummary,
    records: StreamRecord[],
  ): Promise<PipelineState> {
    try {
      return await this.commit(chunk, state, marks, summary);
    } catch (err) {
      if (summary.commits === 0) throw err;
      summary.failedAtSequenceNumber = records[chunk.firstRecord].sequenceNumber;
      summary.error = err instanceof Error ? err.message : String(err);
      return state;
    }
  }

  /** Folds one chunk and commits it (see the file header for the write order). */
  private async commit(
    chunk: Chunk,
    state: PipelineState,
    marks: MarkBook,
    summary: BatchSummary,
  ): Promise<PipelineState> {
    const t0 = performance.now();
    const ctx = {
      doc: this.deps.doc,
      tables: this.deps.tables,
      checkpoint: state.checkpoint,
      emptyStore: state.checkpoint === ORIGIN,
    };
    const parts: FamilyChunk[] = await Promise.all(this.families.map((f) => f.begin(chunk.runs, ctx)));
    for (const p of parts) summary.itemsFromCache += p.stats.itemsFromCache;
    this.deps.onPhase?.('loaded');
    const t1 = performance.now();

    const { counts, kinds, rejections, lastEventAt } = foldRuns(parts, chunk.runs, state.lastEventAt);
    const tally = counts.toTally();
    this.deps.onPhase?.('folded');
    const t2 = performance.now();

    const firstRun = chunk.runs[0];
    const first = firstRun === undefined ? chunk.end : position(firstRun.seq, firstRun.from);
    const last = chunk.end;

    const puts: RedoPut[] = [];
    const sets: FigureDeltas = {};
    const kindRows = kinds.flat();
    if (kindRows.length > 0) sets[EVENT_FIGURES.id] = kindRows;
    const counters: Record<string, number> = { ...state.counters };
    const live: [string, unknown][] = [];
    let itemsWritten = 0;
    for (const p of parts) {
      const out = p.finish(first, last);
      for (const t of out.live) live.push(t);
      for (const put of out.puts) puts.push(put);
      Object.assign(sets, out.sets);
      for (const [k, n] of Object.entries(out.counters)) counters[k] = (counters[k] ?? 0) + n;
      itemsWritten += p.stats.itemsWritten;
    }
    const journalWrites =
      puts.length > 0 || Object.keys(sets).length > 0 ? this.store.journalWrites({ first, last, sets }) : [];
    const rejectionWrites = this.store.rejectionWrites(first, last, rejections);
    // Slots carry the attempt's id, so slots left by another attempt at the same position never mix in.
    const attempt = randomUUID();
    const redoWrites = puts.length > 0 ? this.store.redoWrites(first, puts, attempt) : [];

    const sideWrites = redoWrites.length + journalWrites.length + rejectionWrites.length;
    const writes = 1 + (sideWrites + puts.length > 0 ? 1 + sideWrites + puts.length : 0);
    const next: Omit<PipelineState, 'pending'> = {
      tally: addTally(addTally(emptyTally(), state.tally), tally),
      checkpoint: last,
      lastSequenceNumber: chunk.endSeq,
      lastEventAt,
      batches: state.batches + 1,
      counters,
      itemWrites: (state.itemWrites ?? 0) + writes,
      resentRecords: (state.resentRecords ?? 0) + chunk.resent,
      marks: marks.toState(),
    };

    if (sideWrites + puts.length > 0) {
      await this.store.writeState({
        ...state,
        pending: {
          first,
          last,
          journalChunks: journalWrites.length,
          rejectionChunks: rejectionWrites.length,
          redoChunks: redoWrites.length,
          attempt,
          next,
        },
      });
      await settleAll([
        batchWrite(this.deps.doc, this.deps.tables.meta, rejectionWrites),
        batchWrite(this.deps.doc, this.deps.tables.history, journalWrites),
      ]);
      // The redo log goes last: once it is complete, so are the journal and rejections, and the batch
      // is decided (the redo log holds every put below).
      await batchWrite(this.deps.doc, this.deps.tables.meta, redoWrites);
      await this.applyPuts(puts);
    }
    await this.store.writeState({ ...next, pending: null });
    const committedAt = Date.now();
    this.families.forEach((f, i) => {
      f.committed(parts[i], last);
    });
    await this.writeLive(next, live, committedAt, summary);
    this.deps.onPhase?.('written');
    const t3 = performance.now();

    addTally(summary.tally, tally);
    summary.firstPosition ??= first;
    summary.lastPosition = last;
    summary.itemsWritten += itemsWritten;
    summary.itemWrites += writes;
    summary.commits++;
    summary.durationsMs.load += t1 - t0;
    summary.durationsMs.fold += t2 - t1;
    summary.durationsMs.write += t3 - t2;
    return { ...next, pending: null };
  }

  /**
   * What the committed chunk changed, for the live fan-out (storage/live-store.ts): after the commit,
   * so only committed figures are ever pushed. Best effort: a failure costs subscribers one update
   * (noted in the summary), never the batch, which is committed already.
   */
  private async writeLive(
    next: Omit<PipelineState, 'pending'>,
    topics: [string, unknown][],
    committedAt: number,
    summary: BatchSummary,
  ): Promise<void> {
    const pipeline = {
      ...pipelineView({ ...next, pending: null }),
      checkpoint: next.checkpoint,
      committedAt,
    };
    try {
      await writeLiveDigest(this.deps.doc, this.deps.tables.meta, {
        sequenceNumber: next.lastSequenceNumber ?? '',
        checkpoint: next.checkpoint,
        committedAt,
        topics: [[PIPELINE_TOPIC, pipeline], ...topics],
      });
    } catch (err) {
      summary.liveError = err instanceof Error ? err.message : String(err);
    }
  }

  private async applyPuts(puts: RedoPut[]): Promise<void> {
    const graph: WriteRequest[] = [];
    const meta: WriteRequest[] = [];
    const history: WriteRequest[] = [];
    for (const p of puts)
      (p.table === 'graph' ? graph : p.table === 'meta' ? meta : history).push({
        PutRequest: { Item: p.item },
      });
    // Archived history first: a user item counts the chunks it relies on (storage/history-archive.ts).
    await batchWrite(this.deps.doc, this.deps.tables.history, history);
    await settleAll([
      batchWrite(this.deps.doc, this.deps.tables.graph, graph),
      batchWrite(this.deps.doc, this.deps.tables.meta, meta),
    ]);
  }

  /**
   * Settles a batch an earlier attempt left pending: if its redo log is complete the batch was
   * decided, so its puts are (re)applied and it commits; otherwise nothing of it reached the graph,
   * and its journal and rejection chunks (possibly partial) are deleted.
   */
  private async settlePending(state: PipelineState): Promise<PipelineState> {
    const p = state.pending;
    if (p === null) return state;
    const puts = p.redoChunks > 0 ? await this.store.readRedo(p.first, p.redoChunks, p.attempt) : null;
    if (puts !== null) {
      await this.applyPuts(puts);
      const next = { ...p.next, pending: null };
      await this.store.writeState(next);
      return next;
    }
    await this.store.deleteBatchRecords(p);
    const cleared = { ...state, pending: null };
    await this.store.writeState(cleared);
    return cleared;
  }
}
