// Folds one Kinesis batch into the graph, exactly once in effect.
//
// 1. Read the pipeline state. If an earlier attempt left a pending batch, roll it back first.
// 2. Decode every record; skip events at or before the checkpoint (already applied: a replay).
// 3. Load every user the batch names, and the referral ancestors of every referral's users.
// 4. Fold in stream order, in memory.
// 5. Write: state(pending) -> journal + rejections -> user items (each once, with undo) -> state(commit).
// A crash anywhere leaves the committed graph intact; the retry rolls back and folds again.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type GraphEvent, toGraphEvent } from '../../domain/events';
import { Graph, REJECT_REASONS, type UserState } from '../../domain/graph';
import { position } from '../../domain/position';
import { decodeRecord, Unreadable } from '../../domain/records';
import { addTally, count, emptyTally, type Tally } from '../../domain/tally';
import { batchWrite, type WriteRequest } from '../../storage/batch-io';
import { GraphStore } from '../../storage/graph-store';
import { type PipelineState, PipelineStore, type Rejection } from '../../storage/pipeline-store';
import { NO_ITEM, toUserItem, toUserState, type UserItem, undoImage } from '../../storage/user-item';

export interface StreamRecord {
  sequenceNumber: string;
  data: Uint8Array;
}

export interface ProcessorDeps {
  doc: DynamoDBDocumentClient;
  tables: { graph: string; history: string; meta: string };
}

export interface BatchSummary {
  records: number;
  /** events in the batch that were already applied (a replay) and were skipped */
  skipped: number;
  tally: Tally;
  firstPosition: string | null;
  lastPosition: string | null;
  usersWritten: number;
  itemWrites: number;
  recovered: boolean;
  durationsMs: { load: number; fold: number; write: number };
}

/** Largest rejected event kept verbatim; bigger ones are kept as a truncated JSON string. */
const MAX_REJECTED_EVENT_CHARS = 2_048;

function keepRejected(item: unknown): unknown {
  if (item instanceof Unreadable) return item.raw;
  const text = JSON.stringify(item) ?? String(item);
  return text.length > MAX_REJECTED_EVENT_CHARS ? `${text.slice(0, MAX_REJECTED_EVENT_CHARS)}…` : item;
}

interface Item {
  pos: string;
  seq: string;
  index: number;
  value: unknown;
  event: GraphEvent | null;
}

export class BatchProcessor {
  private readonly store: PipelineStore;
  private readonly graphStore: GraphStore;

  constructor(private readonly deps: ProcessorDeps) {
    this.store = new PipelineStore(deps.doc, deps.tables);
    this.graphStore = new GraphStore(deps.doc, deps.tables.graph);
  }

  async process(records: StreamRecord[]): Promise<BatchSummary> {
    const t0 = performance.now();
    let state = await this.store.readState();
    let recovered = false;
    if (state.pending !== null) {
      state = await this.rollBack(state);
      recovered = true;
    }
    const checkpoint = state.checkpoint;

    const items: Item[] = [];
    let skipped = 0;
    for (const r of records) {
      const values = decodeRecord(r.data);
      for (let i = 0; i < values.length; i++) {
        const pos = position(r.sequenceNumber, i);
        if (pos <= checkpoint) {
          skipped++;
          continue;
        }
        items.push({
          pos,
          seq: r.sequenceNumber,
          index: i,
          value: values[i],
          event: toGraphEvent(values[i]),
        });
      }
    }
    const summary: BatchSummary = {
      records: records.length,
      skipped,
      tally: emptyTally(),
      firstPosition: null,
      lastPosition: null,
      usersWritten: 0,
      itemWrites: 0,
      recovered,
      durationsMs: { load: 0, fold: 0, write: 0 },
    };
    if (items.length === 0) return summary;

    const committed = await this.loadUsers(items, checkpoint);
    const t1 = performance.now();

    const users = new Map<string, UserState>();
    for (const [name, item] of committed) users.set(name, toUserState(item));
    const graph = new Graph(users);
    graph.beginBatch();
    const tally = summary.tally;
    const rejections: Rejection[] = [];
    let lastEventAt = state.lastEventAt;
    let registered = 0;
    for (const it of items) {
      const outcome = it.event === null ? 'malformed' : graph.apply(it.event);
      count(tally, outcome);
      if (outcome === 'applied' && it.event?.type === 'register') registered++;
      if (it.event !== null) lastEventAt = it.event.at;
      if (outcome !== 'applied' && outcome !== 'noop') {
        rejections.push({
          reason: outcome,
          event: keepRejected(it.value),
          sequenceNumber: it.seq,
          index: it.index,
        });
      }
    }
    const t2 = performance.now();

    const first = items[0].pos;
    const last = items[items.length - 1].pos;
    summary.firstPosition = first;
    summary.lastPosition = last;

    const userWrites: WriteRequest[] = graph.touched.map((u) => ({
      PutRequest: {
        Item: toUserItem(u, last, undoImage(committed.get(u.name) ?? null)) as unknown as Record<
          string,
          unknown
        >,
      },
    }));
    const deltas: (string | number)[] = [];
    for (const d of graph.batchDeltas()) deltas.push(d.bucket, d.name, d.strength, d.points);
    const journalWrites =
      userWrites.length > 0 || deltas.length > 0
        ? this.store.journalWrites({ first, last, touched: graph.touched.map((u) => u.name), deltas })
        : [];
    const rejectionWrites = this.store.rejectionWrites(first, last, rejections);

    const next: PipelineState = {
      tally: addTally(structuredClone(state.tally), tally),
      checkpoint: last,
      lastSequenceNumber: items[items.length - 1].seq,
      lastEventAt,
      pending: null,
      batches: state.batches + 1,
      users: state.users + registered,
    };
    for (const r of REJECT_REASONS) next.tally.rejectedByReason[r] ??= 0;

    if (journalWrites.length + rejectionWrites.length + userWrites.length > 0) {
      await this.store.writeState({
        ...state,
        pending: {
          first,
          last,
          journalChunks: journalWrites.length,
          rejectionChunks: rejectionWrites.length,
        },
      });
      // The journal (which names every user written) lands before any user item, so a rollback can find them.
      await Promise.all([
        batchWrite(this.deps.doc, this.deps.tables.history, journalWrites),
        batchWrite(this.deps.doc, this.deps.tables.meta, rejectionWrites),
      ]);
      await batchWrite(this.deps.doc, this.deps.tables.graph, userWrites);
      summary.itemWrites += 1 + journalWrites.length + rejectionWrites.length + userWrites.length;
    }
    await this.store.writeState(next);
    summary.itemWrites += 1;
    summary.usersWritten = userWrites.length;
    const t3 = performance.now();
    summary.durationsMs = { load: t1 - t0, fold: t2 - t1, write: t3 - t2 };
    return summary;
  }

  /** Loads, as committed, every user named by the batch plus the referral ancestors of referral users. */
  private async loadUsers(items: Item[], checkpoint: string): Promise<Map<string, UserItem>> {
    const names = new Set<string>();
    const referralNames = new Set<string>();
    for (const it of items) {
      const e = it.event;
      if (e === null) continue;
      names.add(e.a);
      if (e.b !== '') names.add(e.b);
      if (e.type === 'referral') {
        referralNames.add(e.a);
        referralNames.add(e.b);
      }
    }
    const loaded = await this.graphStore.readCommitted(names, checkpoint);
    // Walk ancestor chains; each round loads the next missing generation.
    let frontier = [...referralNames];
    while (frontier.length > 0) {
      const missing = new Set<string>();
      for (const start of frontier) {
        let cur = loaded.get(start);
        while (cur?.rb !== undefined) {
          const parent = loaded.get(cur.rb);
          if (parent === undefined) {
            missing.add(cur.rb);
            break;
          }
          cur = parent;
        }
      }
      if (missing.size === 0) break;
      const more = await this.graphStore.readCommitted(missing, checkpoint);
      for (const [n, item] of more) loaded.set(n, item);
      frontier = [...more.keys()];
    }
    return loaded;
  }

  /** Undoes a batch that began writing but never committed, then clears the pending marker. */
  private async rollBack(state: PipelineState): Promise<PipelineState> {
    const p = state.pending;
    if (p === null) return state;
    const journal = p.journalChunks > 0 ? await this.store.readJournal(p.first, p.journalChunks) : null;
    if (journal !== null) {
      const raw = await this.graphStore.readRaw(journal.touched);
      const restores: WriteRequest[] = [];
      for (const item of raw.values()) {
        if (item.v <= state.checkpoint) continue;
        if (item.u === undefined || item.u === NO_ITEM)
          restores.push({ DeleteRequest: { Key: { pk: item.pk } } });
        else restores.push({ PutRequest: { Item: JSON.parse(item.u) as Record<string, unknown> } });
      }
      await batchWrite(this.deps.doc, this.deps.tables.graph, restores);
    }
    await this.store.deleteBatchRecords(p);
    const cleared = { ...state, pending: null };
    await this.store.writeState(cleared);
    return cleared;
  }
}
