// The API's read side in one process-wide object, shared by every route handler loaded in the same
// process (one per Lambda, all of them in the embedded runtime). It adds caching and the undo rule to
// the raw reads of storage/read-store.ts:
//
// - User items are read as stored, never cached (freshness: a write is visible at once).
// - The pipeline state (checkpoint, user count) and the snapshot state are cached for a short TTL.
// - Rollup blocks are immutable until the snapshot job re-rolls them, and then their `upTo` changes.
//   Parsed blocks are cached with the `upTo` they were read at and the snapshot cursor seen then.
//   While the cursor has not moved no snapshot run has completed, so the cached version is at least
//   what the snapshot state vouches for and a hot range needs no read at all (a run in progress may
//   already have re-rolled a block; its answer shows up once that run moves the cursor). After the
//   cursor moved, a projection read of the heads (pk, upTo, n) revalidates the cached blocks and only
//   changed ones are fetched again. Answers are cached by the exact block versions they came from.
// - A range holding all the data ("all time") is answered from the one total block when its span of
//   buckets lies inside the range; any other range from the blocks that tile it.
// - Every ranged answer adds the journal tail (journal-tail.ts): the committed journals after the
//   snapshot cursor, up to the checkpoint, each row counted unless the block read for its bucket
//   already holds its journal (queries/figures.ts tailStepSums). Keys the dictionary does not name yet
//   get ids after its last, in the answer's own copy of the names.
// - Blocks name users by id; the rollup name dictionary is append-only, so it is kept and only its
//   tail is read, when a block holds an id beyond it (on a cold start, while the blocks are read). A
//   new dictionary (`namesId` of the snapshot state: a store rebuilt from nothing) drops every cache
//   of rollups.
// - Top-friends scores friends from an in-memory index of every user's all-time figures (the total
//   block plus the committed journals after it, followed as the checkpoint moves: figure-index.ts),
//   with the checkpoint read afresh for each call, so every batch committed before a call counts. In
//   the Lambdas that read joins the BatchGetItem of the users asked for in the same turn
//   (storage/user-reads.ts): a round of concurrent requests costs one call, not three.

import { figureSet } from '../../domain/families';
import type { HistoryCell } from '../../domain/graph';
import type { ProductState, Profile } from '../../domain/marketplace/fold';
import type { PostState } from '../../domain/posts/fold';
import { SOCIAL_FIGURES, SOCIAL_POINTS, SOCIAL_STRENGTH } from '../../domain/social-family';
import { BUCKET_MS } from '../../domain/time';
import { NotFoundError } from '../../queries/errors';
import { indexOfId, type TailStep, tailEarliest, tailStepSums } from '../../queries/figures';
import { GenerationCache } from '../../queries/generation-cache';
import {
  type BlockData,
  METRIC_COLUMN,
  type Metric,
  type RankedItem,
  RankingCache,
  rankBlocks,
} from '../../queries/leaderboard';
import { type AnsweredRange, coversSpan, LEVELS_MS } from '../../queries/range';
import { mergeCells } from '../../storage/history-archive';
import { type ProductItem, productKey, profileKey, toProductState } from '../../storage/marketplace/items';
import { PIPELINE_KEY, type PipelineState } from '../../storage/pipeline-store';
import {
  headEntries,
  type PostItem,
  postKey,
  readUserPostsWith,
  toPostState,
  type UserPostEntry,
  userPostsHeadKey,
} from '../../storage/posts/items';
import { ReadStore } from '../../storage/read-store';
import { rollupPk, totalPk } from '../../storage/rollup-store';
import { SNAPSHOT_KEY, type SnapshotState } from '../../storage/snapshot-store';
import { decodeHistory, type UserItem } from '../../storage/user-item';
import { UserReads } from '../../storage/user-reads';
import { depsFromEnv } from '../shared/deps';
import { type FigureBase, FigureIndex, type Figures, FreshRead } from './figure-index';
import { JournalTail, StaleCursorError, type Tail } from './journal-tail';

/**
 * How long a reader reuses the pipeline and snapshot states it read (ms): an answer may trail a
 * commit or a snapshot run by this much.
 */
export const STATE_TTL_MS = 250;

export interface ReaderOptions {
  /** How long the pipeline and snapshot states are reused (ms). */
  stateTtlMs?: number;
  /** Cap on cached block entries (one per user per block) before the least recently used go. */
  maxCachedEntries?: number;
  now?: () => number;
  /**
   * Reads user items through the low-level client (storage/user-reads.ts) instead of the store's
   * DocumentClient: the Lambdas pass one, tests of the read logic may leave it out.
   */
  userReads?: UserReads;
}

interface CachedBlock {
  upTo: string;
  /** snapshot cursor when this version was last confirmed current */
  cursor: string;
  data: BlockData | null;
  /** the total block's first and last bucket */
  span: { lo: number; hi: number } | null;
  /** when it was last read (Reader.tick): the least recently used go first */
  used: number;
}

/** The rollup name dictionary as far as it has been read: names[id]. */
interface Dictionary {
  namesId: string;
  names: string[];
  /** names[id] -> id, for the keys the journal tail names */
  ids: Map<string, number>;
  /** the tail read under way */
  loading: Promise<void> | null;
}

const MAX_CACHED_ANSWERS = 256;
/** Cap on the block presences kept (planSteps) before they are all dropped. */
const MAX_PRESENCE_ENTRIES = 200_000;

class Ttl<T> {
  private value: { at: number; p: Promise<T> } | null = null;
  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
    private readonly now: () => number,
  ) {}

  get(fresh = false): Promise<T> {
    const t = this.now();
    if (fresh || this.value === null || t - this.value.at >= this.ttlMs) {
      // The promise is cached, so concurrent requests share one read; a failed read is not kept.
      const p = this.load();
      const entry = { at: t, p };
      this.value = entry;
      p.catch(() => {
        if (this.value === entry) this.value = null;
      });
    }
    return (this.value as { p: Promise<T> }).p;
  }

  clear(): void {
    this.value = null;
  }
}

export interface RejectionPage {
  items: { reason: string; event: unknown; sequenceNumber: string }[];
  next: { first: string; offset: number } | null;
}

/** A block planned for a step: its key (when it is read by key), its buckets, what was read. */
interface Planned {
  pk: string;
  from: number;
  to: number;
  entry: CachedBlock | undefined;
}

/** A set's figures per step as blocks (Reader.stepBlocks, rangeBlocks). */
interface FigureSteps {
  perStep: BlockData[][];
  names: readonly string[];
  idOf: (key: string) => number | undefined;
  version: string;
  /** the state of the data they were read at: snapshot cursor, rollup dictionary, journal tail */
  generation: string;
}

/** A set's figures over a range as blocks (Reader.rangeBlocks). */
export interface RangeBlocks {
  blocks: BlockData[];
  names: readonly string[];
  idOf: (key: string) => number | undefined;
  version: string;
  /** the state of the data they were read at (for caches of answers: GenerationCache) */
  generation: string;
}

/** The state of the data an answer is read at, as the answer caches name it (GenerationCache). */
function generationOf(snap: SnapshotState, tail: { version: string }): string {
  return `${snap.cursor}|${snap.namesId}|${tail.version}`;
}

/** Whether block `d` holds key id `id` (ids ascending). */
function holds(d: BlockData, id: number): boolean {
  return indexOfId(d.ids, id) >= 0;
}

/** Sums per key as a block (ids ascending). */
function sumsBlock(
  sums: Map<string, number[]>,
  width: number,
  idOf: (key: string) => number | undefined,
): BlockData {
  const entries = [...sums].map(([k, row]) => [idOf(k) as number, row] as const).sort((a, b) => a[0] - b[0]);
  const ids = new Int32Array(entries.length);
  const cols = Array.from({ length: width }, () => new Float64Array(entries.length));
  entries.forEach(([id, row], i) => {
    ids[i] = id;
    for (let c = 0; c < width; c++) cols[c][i] = row[c];
  });
  return { ids, cols };
}

export interface LeaderboardAnswer {
  items: RankedItem[];
}

export class Reader {
  private dictionary: Dictionary = { namesId: '', names: [], ids: new Map(), loading: null };
  private readonly pipeline: Ttl<PipelineState>;
  private readonly snapshot: Ttl<SnapshotState>;
  private readonly blocks = new Map<string, CachedBlock>();
  /** the cached time blocks by `${set}#${levelMs}` and start (the entries of `blocks`) */
  private readonly numeric = new Map<string, Map<number, CachedBlock>>();
  /** whether sealed time blocks exist, by `${set}#${levelMs}` and start, and the cursor seen at (planSteps) */
  private presence = new Map<string, Map<number, { cursor: string; present: boolean }>>();
  private presenceEntries = 0;
  /** blocks being read, and the read that brings them */
  private readonly reading = new Map<string, Promise<Map<string, CachedBlock>>>();
  private tick = 0;
  /** counts dropRollups(): a block read begun before one is not kept */
  private rollupEpoch = 0;
  /** figureSteps' answers, by set and steps, of the newest state read (snapshot cursor, journal tail) */
  private readonly figureAnswers = new GenerationCache<FigureSteps>(MAX_CACHED_ANSWERS);
  /** the existing blocks that tile all the data, by set, at the newest snapshot cursor (searchEarliest) */
  private readonly earliestTops = new GenerationCache<Planned[]>(MAX_CACHED_ANSWERS);
  /** earliest()'s answers, by set and key, of the newest state read */
  private readonly earliestAnswers = new GenerationCache<number | null>(10_000);
  private cachedEntries = 0;
  /** the social leaderboards' rankings, by metric and the blocks' version */
  private readonly answers = new RankingCache<RankedItem>(MAX_CACHED_ANSWERS);
  /** Pages of /meta/rejections answered at this checkpoint. */
  /** atCheckpoint's answers: the checkpoint they hold and each answer by its kind and key */
  private checkpointAnswers: { checkpoint: string; answers: Map<string, Promise<unknown>> } = {
    checkpoint: '',
    answers: new Map(),
  };
  private rejectionPages: { checkpoint: string; pages: Map<string, Promise<RejectionPage>> } = {
    checkpoint: '',
    pages: new Map(),
  };
  private readonly maxCachedEntries: number;
  private readonly userReads: UserReads | null;
  /** all-time strength and points of every user, for top-friends (lambdas/api/figure-index.ts) */
  private readonly figureIndex: FigureIndex;
  /** the committed checkpoint and the rollups' dictionary id, read afresh for each top-friends call */
  private readonly figureStates: FreshRead<{ checkpoint: string; namesId: string }>;
  /** the committed journals after the snapshot cursor, added to every ranged answer */
  private readonly tail: JournalTail;
  readonly now: () => number;

  constructor(
    readonly store: ReadStore,
    o: ReaderOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    const ttl = o.stateTtlMs ?? STATE_TTL_MS;
    this.pipeline = new Ttl(ttl, () => store.pipelineState(), this.now);
    this.snapshot = new Ttl(ttl, () => store.snapshotState(), this.now);
    this.maxCachedEntries = o.maxCachedEntries ?? 4_000_000;
    this.userReads = o.userReads ?? null;
    this.figureIndex = new FigureIndex({
      base: () => this.totalSums(),
      journals: (after, checkpoint) => store.committedJournals(after, checkpoint),
      trimmedTo: async () => (await store.snapshotState()).trimmedTo,
    });
    this.tail = new JournalTail({
      journals: (after, checkpoint) => store.committedJournals(after, checkpoint),
      trimmedTo: async () => (await store.snapshotState()).trimmedTo,
    });
    // Past the TTL caches: through them this would pin a snapshot state for the leaderboards too,
    // which then might not see a snapshot run that just ended.
    this.figureStates = new FreshRead(async () => {
      const [pipeline, snap] = await Promise.all([store.pipelineState(), store.snapshotState()]);
      return { checkpoint: pipeline.checkpoint, namesId: snap.namesId };
    });
  }

  /** Drops every cache (tests, and the local runtime after it rebuilds tables). */
  invalidate(): void {
    this.pipeline.clear();
    this.snapshot.clear();
    this.dropRollups('');
    this.figureIndex.clear();
    this.tail.clear();
    this.rejectionPages = { checkpoint: '', pages: new Map() };
  }

  private dropRollups(namesId: string): void {
    this.blocks.clear();
    this.numeric.clear();
    this.cachedEntries = 0;
    this.answers.clear();
    this.dictionary = { namesId, names: [], ids: new Map(), loading: null };
    this.tail.clear();
    this.reading.clear();
    this.figureAnswers.clear();
    this.earliestAnswers.clear();
    this.earliestTops.clear();
    this.presence.clear();
    this.presenceEntries = 0;
    this.rollupEpoch++;
  }

  /** Forgets the cached pipeline and snapshot states only (cached blocks then revalidate). */
  refresh(): void {
    this.pipeline.clear();
    this.snapshot.clear();
  }

  pipelineState(fresh = false): Promise<PipelineState> {
    return this.pipeline.get(fresh);
  }

  snapshotState(): Promise<SnapshotState> {
    return this.snapshot.get();
  }

  /**
   * The user, or null if it is not registered. Every stored user item belongs to a decided batch (the
   * processor's redo log, storage/user-item.ts), so items are read as they are: no checkpoint needed.
   */
  async user(name: string): Promise<UserItem | null> {
    return this.userReads === null ? this.store.user(name) : this.userReads.user(name);
  }

  /**
   * The user's whole history as of its item: the item's newest cells and the archived chunks it counts
   * (storage/history-archive.ts), one cell per bucket.
   */
  async history(user: UserItem): Promise<HistoryCell[]> {
    const recent = decodeHistory(user.h);
    const chunks = user.hn ?? 0;
    if (chunks === 0) return recent;
    return mergeCells([...(await this.store.archivedCells(user.pk, chunks)), recent]);
  }

  /** The user; 404 when unknown. */
  async requireUser(name: string): Promise<UserItem> {
    const u = await this.user(name);
    if (u === null) throw new NotFoundError(`user '${name}' is not registered`);
    return u;
  }

  /**
   * The product, or null when no applied event has named it (it does not exist for the API). Read as
   * stored, like a user item: every stored product item belongs to a decided batch.
   */
  async product(productId: string): Promise<ProductState | null> {
    const item =
      this.userReads === null
        ? await this.store.product(productId)
        : ((await this.userReads.metaItem(productKey(productId))) as ProductItem | null);
    if (item === null || item.fs === null || item.fs === undefined) return null;
    return toProductState(item);
  }

  /** The product; 404 when unknown. */
  async requireProduct(productId: string): Promise<ProductState> {
    const p = await this.product(productId);
    if (p === null) throw new NotFoundError(`product '${productId}' is not known`);
    return p;
  }

  /**
   * The post, or null when none is stored. Read as stored, like a product: every stored post belongs
   * to a decided batch, and a post never changes once written.
   */
  async post(postId: string): Promise<PostState | null> {
    const item =
      this.userReads === null
        ? await this.store.post(postId)
        : ((await this.userReads.metaItem(postKey(postId))) as PostItem | null);
    return item === null ? null : toPostState(item);
  }

  /**
   * A page of a writer's posts, newest first, after index key `after` (storage/posts/items.ts): its
   * head read with the items of the same turn, and its index only past the head. `total` is the
   * writer's post count from the figures.
   */
  async userPosts(name: string, total: number, limit: number, after: string | null) {
    const reads = this.userReads;
    if (reads === null) return this.store.userPosts(name, total, limit, after);
    const head = headEntries(name, await reads.metaItem(userPostsHeadKey(name)));
    return readUserPostsWith(
      head,
      total,
      async (pk, n, from) => (await reads.metaPartition(pk, n, from)) as unknown as UserPostEntry[],
      name,
      limit,
      after,
    );
  }

  /** The user's marketplace profile, or null (none, or deleted); read with the users of the same turn. */
  async profile(name: string): Promise<Profile | null> {
    if (this.userReads === null) return this.store.profile(name);
    const item = await this.userReads.metaItem(profileKey(name));
    return (item?.profile as Profile | null | undefined) ?? null;
  }

  /**
   * A page of product ids (code-unit order), the total matching the prefix, and the id the next page
   * starts after (null at the end).
   */
  async productIds(prefix: string | null, limit: number, after: string | null) {
    const total = this.store.countProducts(prefix ?? '');
    let start = after;
    if (prefix !== null && start !== null && !start.startsWith(prefix)) {
      // A cursor from another listing: before the prefix's ids starts at the first, after them ends.
      if (start > prefix) return { total: await total, ids: [] as string[], next: null };
      start = null;
    }
    const page = await this.store.productIds(prefix, limit, start);
    const next = page.more ? (page.names.at(-1) ?? null) : null;
    return { total: await total, ids: page.names, next };
  }

  /**
   * All-time strength and points by name, holding every batch committed when this was called: the
   * pipeline state is read afresh (one read shared by the calls that arrived before it began), so a
   * committed batch shows at once, as it does in the user items. Only journals committed since the
   * last call are read (shared by concurrent calls).
   */
  async figures(): Promise<(name: string) => Figures> {
    const { checkpoint, namesId } =
      this.userReads === null
        ? await this.figureStates.get()
        : await this.coalescedFigureStates(this.userReads);
    return this.figureIndex.at(checkpoint, namesId);
  }

  /**
   * The checkpoint and dictionary id read with the users asked for in the same turn (one BatchGetItem
   * for a whole round of top-friends requests and their users). It begins after the calls it answers,
   * as a FreshRead does, so the same batches count.
   */
  private async coalescedFigureStates(reads: UserReads): Promise<{ checkpoint: string; namesId: string }> {
    const [pipeline, snap] = await Promise.all([reads.metaItem(PIPELINE_KEY), reads.metaItem(SNAPSHOT_KEY)]);
    const str = (item: Record<string, unknown> | null, attr: string) => {
      const v = item?.[attr];
      return typeof v === 'string' ? v : '';
    };
    return { checkpoint: str(pipeline, 'checkpoint'), namesId: str(snap, 'namesId') };
  }

  /**
   * The total block's sums by name and its version: where the figure index starts. Read apart from
   * the leaderboards' block cache (this happens once per index), sharing only the dictionary.
   */
  private async totalSums(): Promise<FigureBase> {
    const snap = await this.store.snapshotState();
    const sums = new Map<string, Figures>();
    const pk = totalPk(SOCIAL_FIGURES.id);
    const total = (await this.store.rollups.readBlocks([pk])).get(pk);
    if (total === undefined || total.head.upTo === '') return { upTo: '', namesId: snap.namesId, sums };
    const { ids } = total.data;
    const strength = total.data.cols[SOCIAL_STRENGTH];
    const points = total.data.cols[SOCIAL_POINTS];
    const maxId = ids.length > 0 ? ids[ids.length - 1] : -1;
    // The snapshot job appends names before any block that uses them, and they are read here after the
    // block: every id of it is in the dictionary.
    const names =
      snap.namesId !== '' && snap.namesId === this.dictionary.namesId
        ? await this.namesUpTo(this.dictionary, maxId)
        : await this.store.rollups.readNames(0);
    if (maxId >= names.length)
      throw new Error(`the total block holds user id ${maxId}, beyond the dictionary`);
    for (let i = 0; i < ids.length; i++)
      sums.set(names[ids[i]], { strength: strength[i], points: points[i] });
    return { upTo: total.head.upTo, namesId: snap.namesId, sums };
  }

  /**
   * The committed checkpoint, read afresh: with the items asked for in the same turn (one
   * BatchGetItem) when reads are coalesced, so it costs a concurrent request almost nothing.
   */
  private async freshCheckpoint(): Promise<string> {
    if (this.userReads === null) return (await this.pipelineState(true)).checkpoint;
    const v = (await this.userReads.metaItem(PIPELINE_KEY))?.checkpoint;
    return typeof v === 'string' ? v : '';
  }

  /**
   * An answer that is a function of the committed items (`kind` and `key` name it): computed once per
   * committed checkpoint, and shared by the requests that ask for it until the checkpoint moves. Only
   * for answers read from items a batch writes before it commits (products, profiles), never from
   * the snapshot job's rollups, which change between checkpoints. The checkpoint is read afresh, so a
   * write that waited for its commit is seen by the next request.
   */
  async atCheckpoint<T>(kind: string, key: string, compute: () => Promise<T>): Promise<T> {
    const checkpoint = await this.freshCheckpoint();
    if (checkpoint !== this.checkpointAnswers.checkpoint)
      this.checkpointAnswers = { checkpoint, answers: new Map() };
    const answers = this.checkpointAnswers.answers;
    const id = `${kind}\n${key}`;
    let answer = answers.get(id) as Promise<T> | undefined;
    if (answer === undefined) {
      answer = compute();
      if (answers.size >= MAX_CACHED_ANSWERS) answers.clear();
      answers.set(id, answer);
      const settled = answer;
      settled.catch(() => {
        if (answers.get(id) === settled) answers.delete(id);
      });
    }
    return answer;
  }

  /**
   * A page of registered names, the total matching the prefix, and the name the next page starts
   * after (null at the end).
   */
  async userNames(prefix: string | null, limit: number, after: string | null) {
    // A prefix count is a binary search over the name registry the store keeps in memory: no cache.
    const total =
      prefix === null
        ? this.pipelineState().then((s) => s.counters.users ?? 0)
        : this.store.countNames(prefix);
    let start = after;
    if (prefix !== null && start !== null && !start.startsWith(prefix)) {
      // A cursor from another listing: before the prefix's names starts at the first, after them ends.
      if (start > prefix) return { total: await total, names: [] as string[], next: null };
      start = null;
    }
    const page = await this.store.names(prefix, limit, start);
    const next = page.more ? (page.names.at(-1) ?? null) : null;
    return { total: await total, names: page.names, next };
  }

  /**
   * Committed rejections in stream order from a position, at most `limit`, and where the next page
   * starts. A page is a function of the committed checkpoint (rejection groups are written once per
   * batch, before the batch commits, and never change), so pages are kept per checkpoint: while it has
   * not moved, the same page is the same answer.
   */
  async rejections(from: { first: string; offset: number } | null, limit: number): Promise<RejectionPage> {
    const { checkpoint } = await this.pipelineState();
    if (checkpoint !== this.rejectionPages.checkpoint) this.rejectionPages = { checkpoint, pages: new Map() };
    const pages = this.rejectionPages.pages;
    const key = `${from === null ? '' : `${from.first}|${from.offset}`}|${limit}`;
    let page = pages.get(key);
    if (page === undefined) {
      page = this.readRejections(checkpoint, from, limit);
      if (pages.size >= MAX_CACHED_ANSWERS) pages.clear();
      pages.set(key, page);
      page.catch(() => {
        if (pages.get(key) === page) pages.delete(key);
      });
    }
    return page;
  }

  private async readRejections(
    checkpoint: string,
    from: { first: string; offset: number } | null,
    limit: number,
  ): Promise<RejectionPage> {
    const items: RejectionPage['items'] = [];
    for await (const g of this.store.rejectionGroups(from?.first ?? null)) {
      if (g.last > checkpoint) break;
      const skip = from !== null && g.first === from.first ? from.offset : 0;
      for (let i = skip; i < g.items.length; i++) {
        if (items.length === limit) return { items, next: { first: g.first, offset: i } };
        const r = g.items[i];
        items.push({ reason: r.reason, event: r.event, sequenceNumber: r.sequenceNumber });
      }
    }
    return { items, next: null };
  }

  /** The ranked users of `metric` over `range` (at most `limit`). */
  async leaderboard(metric: Metric, range: AnsweredRange, limit: number): Promise<LeaderboardAnswer> {
    const sums = await this.rangeBlocks(SOCIAL_FIGURES.id, range);
    if (sums === null) return { items: [] };
    return {
      items: this.answers.top(
        `${metric}|${sums.version}`,
        limit,
        (depth) => rankBlocks(sums.names, sums.blocks, METRIC_COLUMN[metric], depth),
        sums.generation,
      ),
    };
  }

  /**
   * The figures of set `set` over `range`, as blocks: the rollup blocks whose union is exactly `range`
   * (the set's all-data block when the buckets it holds all lie in the range, else the fewest aligned
   * blocks that tile it), plus one block of what the committed journals after the rollups add (the
   * journal tail, lambdas/api/journal-tail.ts). `names[id]` is the key of id `id`, `idOf` the id of a
   * key, and `version` names the exact block versions and tail they came from (for caching answers
   * computed from them). Null when nothing can hold data of the range.
   */
  async rangeBlocks(set: string, range: AnsweredRange): Promise<RangeBlocks | null> {
    const r = await this.figureSteps(set, [{ from: range.from, to: range.to }], true);
    if (r.perStep[0].length === 0) return null;
    return {
      blocks: r.perStep[0],
      names: r.names,
      idOf: r.idOf,
      version: r.version,
      generation: r.generation,
    };
  }

  /**
   * For each step of a series (bucket-aligned [from, to) ranges, sorted, not overlapping), the blocks
   * of set `set` that tile it and the journal tail's share of it, as rangeBlocks gives them (one read of
   * every block the series needs, cached like the leaderboards' blocks).
   */
  async stepBlocks(
    set: string,
    steps: readonly { from: number; to: number }[],
  ): Promise<{
    perStep: BlockData[][];
    names: readonly string[];
    idOf: (key: string) => number | undefined;
  }> {
    const r = await this.figureSteps(set, steps, false);
    return { perStep: r.perStep, names: r.names, idOf: r.idOf };
  }

  /**
   * The earliest 5-second bucket holding a row of set `set` for `key` (any key when null), in the
   * rollups or the journal tail; null when there is none. A search down the levels: the first block of
   * the range's decomposition holding the key, then its first sub-block holding it, down to 5 s (the
   * sets asked about count events, so a block holds a key exactly when one of its sub-blocks does).
   */
  async earliest(set: string, key: string | null): Promise<number | null> {
    return this.freshCursor(async () => {
      const snap = await this.snapshotState();
      if (snap.namesId !== this.dictionary.namesId) this.dropRollups(snap.namesId);
      const tail = await this.tailOf(snap);
      const generation = generationOf(snap, tail);
      const cacheKey = `${set}|${key}`;
      const known = this.earliestAnswers.get(generation, cacheKey);
      if (known !== undefined) return known;
      const found = await this.searchEarliest(set, key, snap, tail);
      this.earliestAnswers.set(generation, cacheKey, found);
      return found;
    });
  }

  private async searchEarliest(
    set: string,
    key: string | null,
    snap: SnapshotState,
    tail: Tail,
  ): Promise<number | null> {
    const width = figureSet(set).columns.length;
    const fromTail = tailEarliest(tail.journals, set, width, key);
    if (snap.earliest === null || snap.latest === null) return fromTail;
    const min = (b: number | null) => (b === null ? fromTail : fromTail === null ? b : Math.min(b, fromTail));
    if (key === null) return min(snap.earliest);
    const dict = this.dictionary;
    const total = (await this.readBlocks([totalPk(set)], snap.cursor)).get(totalPk(set))?.data;
    if (total === undefined || total === null || total.ids.length === 0) return fromTail;
    await this.namesUpTo(dict, total.ids[total.ids.length - 1]);
    const id = dict.ids.get(key);
    if (id === undefined || !holds(total, id)) return fromTail;
    // The existing blocks that tile all the data, the same for every key at this cursor: kept.
    const topGeneration = `${snap.cursor}|${snap.namesId}`;
    let top = this.earliestTops.get(topGeneration, set);
    if (top === undefined) {
      top = (await this.planSteps(set, [{ from: null, to: snap.latest + BUCKET_MS }], snap))[0];
      this.earliestTops.set(topGeneration, set, top);
    }
    let candidates = top.map((p) => ({ levelMs: p.to - p.from, start: p.from }));
    for (;;) {
      const pks = candidates.map((b) => rollupPk(set, b.levelMs, b.start));
      const read = await this.readBlocks(pks, snap.cursor);
      const at = candidates.findIndex((_, i) => {
        const d = read.get(pks[i])?.data;
        return d !== undefined && d !== null && holds(d, id);
      });
      // Not in the blocks of this state: in a block a run under way wrote ahead of it, whose journal
      // the tail holds.
      if (at < 0) return fromTail;
      const found = candidates[at];
      const level = LEVELS_MS.indexOf(found.levelMs as (typeof LEVELS_MS)[number]);
      if (level <= 0) return min(found.start);
      const finer = LEVELS_MS[level - 1];
      candidates = Array.from({ length: found.levelMs / finer }, (_, i) => ({
        levelMs: finer,
        start: found.start + i * finer,
      }));
    }
  }

  /** Runs `f` again with a fresh snapshot state when the journal tail finds its cursor stale. */
  private async freshCursor<T>(f: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        if (!(err instanceof StaleCursorError) || attempt >= 5) throw err;
        this.snapshot.clear();
      }
    }
  }

  /** The journal tail after `snap`'s cursor, holding every batch the pipeline state says is committed. */
  private async tailOf(snap: SnapshotState): Promise<Tail> {
    const { checkpoint } = await this.pipelineState();
    return this.tail.at(snap.cursor, checkpoint);
  }

  private figureSteps(
    set: string,
    steps: readonly { from: number | null; to: number }[],
    useTotal: boolean,
  ): Promise<FigureSteps> {
    return this.freshCursor(async () => {
      const snap = await this.snapshotState();
      if (snap.namesId !== this.dictionary.namesId) this.dropRollups(snap.namesId);
      const dict = this.dictionary;
      // A cold process needs the dictionary whatever it reads: fetch it alongside the blocks.
      if (dict.names.length === 0 && snap.latest !== null) this.readMoreNames(dict).catch(() => {});
      const tail = await this.tailOf(snap);
      // While the snapshot cursor has not moved, the blocks read are the ones cached (readBlocks): the
      // same steps over the same tail give the same answer. Series steps are regular, so the first
      // step, the end and the count name them.
      const first = steps[0];
      const last = steps[steps.length - 1];
      const generation = generationOf(snap, tail);
      const cacheKey = `${set}|${useTotal}|${first?.from}|${first?.to}|${last?.to}|${steps.length}`;
      const cached = this.figureAnswers.get(generation, cacheKey);
      if (cached !== undefined) return cached;
      // Per step: the blocks read for it, and the buckets each answers for (for the journal tail).
      const plans: Planned[][] = [];
      if (
        useTotal &&
        steps.length === 1 &&
        snap.earliest !== null &&
        snap.latest !== null &&
        coversSpan(steps[0], snap.earliest, snap.latest)
      ) {
        // The total block, if the buckets it holds (it may be a run ahead of the state) are all in range.
        const pk = totalPk(set);
        const entry = (await this.readBlocks([pk], snap.cursor)).get(pk);
        const span = entry?.span;
        if (span && coversSpan(steps[0], span.lo, span.hi)) {
          plans.push([{ pk, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, entry }]);
        }
      }
      if (plans.length === 0) plans.push(...(await this.planSteps(set, steps, snap)));
      let maxId = -1;
      const perStep: BlockData[][] = plans.map((plan) => {
        const out: BlockData[] = [];
        for (const p of plan) {
          const d = p.entry?.data;
          if (d) {
            out.push(d);
            if (d.ids.length > 0) maxId = Math.max(maxId, d.ids[d.ids.length - 1]);
          }
        }
        return out;
      });
      const names = await this.namesUpTo(dict, maxId);
      // From here on no await: the dictionary's first `known` names are the ones the blocks use.
      const known = names.length;
      const width = figureSet(set).columns.length;
      const extra = tail.journals.some((j) => (j.sets[set]?.length ?? 0) > 0)
        ? tailStepSums(
            tail.journals,
            set,
            width,
            steps.map(
              (st, i): TailStep => ({
                from: st.from,
                to: st.to,
                pieces: plans[i].map((p) => ({ from: p.from, to: p.to, upTo: p.entry?.upTo ?? '' })),
              }),
            ),
          )
        : [];
      // Keys of the tail's rows that the dictionary does not name (yet) get ids after its last.
      const extraKeys: string[] = [];
      const extraIds = new Map<string, number>();
      const idOf = (key: string): number | undefined => {
        const id = dict.ids.get(key);
        return id !== undefined && id < known ? id : extraIds.get(key);
      };
      for (const sums of extra) {
        for (const key of sums.keys()) {
          if (idOf(key) === undefined) {
            extraIds.set(key, known + extraKeys.length);
            extraKeys.push(key);
          }
        }
      }
      extra.forEach((sums, i) => {
        if (sums.size > 0) perStep[i].push(sumsBlock(sums, width, idOf));
      });
      // (Leaderboards cache rankings by it.) The tail's share depends on the steps' edges too: the
      // total block answers many ranges.
      const version = useTotal
        ? `${plans
            .flat()
            .map((p) => `${p.pk || rollupPk(set, p.to - p.from, p.from)}@${p.entry?.upTo ?? ''}`)
            .join(',')}|${tail.version}|${steps.map((st) => `${st.from}-${st.to}`).join(',')}`
        : '';
      const answer: FigureSteps = {
        perStep,
        names: extraKeys.length === 0 ? names : [...names.slice(0, known), ...extraKeys],
        idOf,
        version,
        generation,
      };
      this.figureAnswers.set(generation, cacheKey, answer);
      return answer;
    });
  }

  /**
   * Per step, the time blocks of set `set` that tile it (as blocksFor decomposes it), read or taken from
   * the cache; blocks that do not exist are left out (a bucket no block answers for has nothing in the
   * rollups: its journal tail rows all count). The tiling is walked from the day blocks down, and a
   * sealed block (one the snapshot job writes once the data has passed its end, lambdas/snapshot/
   * snapshot-builder.ts) that does not exist at this cursor has no sub-block either: nothing folded up
   * to the cursor lies in it. So on sparse data a series looks up the few blocks that hold something
   * instead of one block per 5-second edge of every step. Whether such a block exists is learnt from
   * its head (a projection read, no data), or from the block cache.
   */
  private async planSteps(
    set: string,
    steps: readonly { from: number | null; to: number }[],
    snap: SnapshotState,
  ): Promise<Planned[][]> {
    const { cursor, earliest, latest } = snap;
    if (earliest === null || latest === null) return steps.map(() => []);
    const end = latest + BUCKET_MS;
    const top = LEVELS_MS.length - 1;
    for (;;) {
      const tick = ++this.tick;
      const cached = LEVELS_MS.map((l) => this.numeric.get(`${set}#${l}`));
      const seen = LEVELS_MS.map((l) => this.presence.get(`${set}#${l}`));
      const unknown: { level: number; start: number }[] = [];
      const slow: Planned[] = [];
      // Whether the sealed block (level, start) exists at this cursor: true, false, or null (not known).
      const exists = (level: number, start: number): boolean | null => {
        const e = cached[level]?.get(start);
        if (e !== undefined && e.cursor === cursor) return e.data !== null;
        const p = seen[level]?.get(start);
        // A block once seen stays (only a new dictionary, which drops every cache, starts over); one
        // seen absent is known absent only at the cursor it was seen at.
        if (p !== undefined && (p.present || p.cursor === cursor)) return p.present;
        return null;
      };
      const walk = (plan: Planned[], lo: number, hi: number, level: number): void => {
        const size = LEVELS_MS[level];
        for (let start = Math.floor(lo / size) * size; start < hi; start += size) {
          const stop = start + size;
          if (start >= lo && stop <= hi) {
            const e = cached[level]?.get(start);
            if (e !== undefined && e.cursor === cursor) {
              e.used = tick;
              if (e.data !== null) plan.push({ pk: '', from: start, to: stop, entry: e });
            } else {
              const p: Planned = { pk: rollupPk(set, size, start), from: start, to: stop, entry: undefined };
              slow.push(p);
              plan.push(p);
            }
            continue;
          }
          // A block the range cuts (never at 5 s: the edges are bucket edges): its sub-blocks.
          if (stop <= end) {
            const has = exists(level, start);
            if (has === false) continue;
            if (has === null) {
              unknown.push({ level, start });
              continue;
            }
          }
          walk(plan, Math.max(lo, start), Math.min(hi, stop), level - 1);
        }
      };
      const plans = steps.map((st) => {
        const plan: Planned[] = [];
        const lo = Math.max(st.from ?? earliest, earliest);
        const hi = Math.min(st.to, end);
        if (lo < hi) walk(plan, lo, hi, top);
        return plan;
      });
      if (unknown.length > 0) {
        await this.readPresence(set, unknown, cursor);
        continue;
      }
      if (slow.length > 0) {
        const read = await this.readBlocks([...new Set(slow.map((p) => p.pk))], cursor);
        for (const p of slow) p.entry = read.get(p.pk);
      }
      // (Blocks read now that turn out absent answer for nothing.)
      return slow.length === 0 ? plans : plans.map((plan) => plan.filter((p) => p.entry?.data));
    }
  }

  /** Learns from their heads whether the time blocks `blocks` of set `set` exist at `cursor`. */
  private async readPresence(
    set: string,
    blocks: readonly { level: number; start: number }[],
    cursor: string,
  ): Promise<void> {
    const epoch = this.rollupEpoch;
    const pks = new Map(blocks.map((b) => [rollupPk(set, LEVELS_MS[b.level], b.start), b]));
    const heads = await this.store.rollups.readHeads(pks.keys(), true);
    if (this.rollupEpoch !== epoch) return;
    if (this.presenceEntries >= MAX_PRESENCE_ENTRIES) {
      this.presence.clear();
      this.presenceEntries = 0;
    }
    for (const [pk, b] of pks) {
      const key = `${set}#${LEVELS_MS[b.level]}`;
      let byStart = this.presence.get(key);
      if (byStart === undefined) {
        byStart = new Map();
        this.presence.set(key, byStart);
      }
      if (!byStart.has(b.start)) this.presenceEntries++;
      byStart.set(b.start, { cursor, present: heads.has(pk) });
    }
  }

  /** The dictionary's names, read at least up to id `maxId` (ids in a block are ascending). */
  private async namesUpTo(dict: Dictionary, maxId: number): Promise<string[]> {
    while (maxId >= dict.names.length) {
      const before = dict.names.length;
      await this.readMoreNames(dict);
      if (dict.names.length === before) {
        throw new Error(`a rollup block holds user id ${maxId}, beyond the name dictionary (${before})`);
      }
    }
    return dict.names;
  }

  /** Reads the dictionary's tail (one read at a time: concurrent callers share it). */
  private readMoreNames(dict: Dictionary): Promise<void> {
    dict.loading ??= (async () => {
      try {
        const tail = await this.store.rollups.readNames(dict.names.length);
        for (const name of tail) {
          dict.ids.set(name, dict.names.length);
          dict.names.push(name);
        }
      } finally {
        dict.loading = null;
      }
    })();
    return dict.loading;
  }

  /**
   * Current versions of the blocks, from the cache when they are known to be current. Blocks being
   * read for another request are not read again: that read is shared.
   */
  private async readBlocks(pks: string[], cursor: string): Promise<Map<string, CachedBlock>> {
    const out = new Map<string, CachedBlock>();
    const stale: string[] = [];
    const missing: string[] = [];
    const used = ++this.tick;
    for (const pk of pks) {
      const c = this.blocks.get(pk);
      if (c === undefined) missing.push(pk);
      else if (c.cursor === cursor) {
        c.used = used;
        out.set(pk, c);
      } else stale.push(pk);
    }
    if (stale.length > 0) {
      const heads = await this.store.rollups.readHeads(stale, true);
      for (const pk of stale) {
        const c = this.blocks.get(pk);
        if (c !== undefined && (heads.get(pk)?.upTo ?? '') === c.upTo) {
          c.cursor = cursor;
          c.used = used;
          out.set(pk, c);
        } else missing.push(pk);
      }
    }
    if (missing.length > 0) {
      const toRead = missing.filter((pk) => !this.reading.has(pk));
      if (toRead.length > 0) {
        const epoch = this.rollupEpoch;
        const read: Promise<Map<string, CachedBlock>> = this.store.rollups.readBlocks(toRead).then((got) => {
          const entries = new Map<string, CachedBlock>();
          for (const pk of toRead) {
            const b = got.get(pk);
            const entry: CachedBlock =
              b === undefined
                ? { upTo: '', cursor, data: null, span: null, used }
                : {
                    upTo: b.head.upTo,
                    cursor,
                    data: b.data,
                    span:
                      b.head.lo === undefined || b.head.hi === undefined
                        ? null
                        : { lo: b.head.lo, hi: b.head.hi },
                    used,
                  };
            if (this.rollupEpoch === epoch) this.remember(pk, entry);
            entries.set(pk, entry);
          }
          return entries;
        });
        const done = () => {
          for (const pk of toRead) if (this.reading.get(pk) === read) this.reading.delete(pk);
        };
        read.then(done, done);
        for (const pk of toRead) this.reading.set(pk, read);
      }
      for (const pk of missing) {
        const entry = (await this.reading.get(pk))?.get(pk) ?? this.blocks.get(pk);
        if (entry !== undefined) out.set(pk, entry);
      }
    }
    return out;
  }

  /**
   * Keeps a block. Past the cap on cached entries, the least recently used blocks go (down to 90% of
   * the cap, so that a cache at its cap does not sort itself on every read).
   */
  private remember(pk: string, entry: CachedBlock): void {
    const old = this.blocks.get(pk);
    if (old !== undefined) this.cachedEntries -= old.data?.ids.length ?? 0;
    this.blocks.set(pk, entry);
    this.index(pk, entry);
    this.cachedEntries += entry.data?.ids.length ?? 0;
    if (this.cachedEntries <= this.maxCachedEntries) return;
    const byAge = [...this.blocks].sort((a, b) => a[1].used - b[1].used);
    for (const [k, v] of byAge) {
      if (this.cachedEntries <= 0.9 * this.maxCachedEntries) break;
      if (k === pk) continue;
      this.blocks.delete(k);
      this.index(k, null);
      this.cachedEntries -= v.data?.ids.length ?? 0;
    }
  }

  /** Keeps the numeric index of time blocks (`rollup3#<set>#<levelMs>#<start>`) in step with `blocks`. */
  private index(pk: string, entry: CachedBlock | null): void {
    const parts = pk.split('#');
    if (parts.length !== 4) return;
    const key = `${parts[1]}#${parts[2]}`;
    let byStart = this.numeric.get(key);
    if (entry === null) {
      byStart?.delete(Number(parts[3]));
      return;
    }
    if (byStart === undefined) {
      byStart = new Map();
      this.numeric.set(key, byStart);
    }
    byStart.set(Number(parts[3]), entry);
  }
}

let shared: Reader | undefined;

/** The process's Reader, built from the function's environment on first use. */
export function reader(): Reader {
  if (shared === undefined) {
    const { doc, dynamo, tables } = depsFromEnv();
    shared = new Reader(new ReadStore(doc, tables), {
      userReads: new UserReads(dynamo, tables.graph, tables.meta),
    });
  }
  return shared;
}
