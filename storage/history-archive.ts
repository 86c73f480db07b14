// A user's older history cells, kept apart from its item.
//
// The processor rewrites a user item whenever a batch touches the user, and the generator touches
// most users in every batch: with every cell in the item, each write copied the user's whole history,
// items grew by a cell per batch toward DynamoDB's 400 KB limit, and the processor's warm cache grew
// with them. So an item keeps a few cells only: once it holds more than HISTORY_KEEP plus the user's
// chunk length, all but the newest HISTORY_KEEP move into one archive chunk in the history table,
// written once and never again:
//
//   pk `uh#<name>`, sk `c<index, 8 digits>`, `c`: the cells, delta-coded and deflated (base64)
//
// The chunk length is the user's own, 16 to 32 cells from a hash of the name. With one length for all,
// users touched in every batch filled their items in step: every item and the processor's cache grew
// for minutes together, and one batch in every few dozen wrote a chunk for each of them. Spread
// lengths put each user in its own phase, so after the first chunks the items hold about
// HISTORY_KEEP + 12 cells on average and a batch writes chunks for a steady few users.
//
// The item counts its chunks (`hn`), and chunk `i` is the same whatever retry wrote it (the processor
// writes it through its redo log, from the same fold), so a reader that takes chunks 0 … hn-1 of the
// item it read sees exactly the history that item stood for, even while a later batch adds a chunk.
// Chunks are written before the items that count them. A late event may add a cell for a bucket an
// archived chunk already holds: cells are additive, so readers sum cells of the same bucket.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { HistoryCell, UserState } from '../domain/graph';

/** Cells an item keeps after moving the older ones to a chunk. */
export const HISTORY_KEEP = 8;
const CHUNK_MIN = 16;
const CHUNK_SPREAD = 17;
/** The most cells an item holds: HISTORY_KEEP plus the longest chunk. */
export const HISTORY_KEEP_MAX = HISTORY_KEEP + CHUNK_MIN + CHUNK_SPREAD - 1;

/** How many cells the user's chunks take (the first may take more, of an item from before): 16 to 32. */
export function chunkCellsOf(name: string): number {
  // FNV-1a over the UTF-16 units: the same on every run and every thread, which the redo log needs.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return CHUNK_MIN + ((h >>> 0) % CHUNK_SPREAD);
}

const PREFIX = 'uh#';

export const archivePk = (name: string): string => `${PREFIX}${name}`;
export const archiveSk = (index: number): string => `c${String(index).padStart(8, '0')}`;

export interface ArchiveChunkItem {
  pk: string;
  sk: string;
  /** the cells: see encodeArchiveCells */
  c: string;
}

/**
 * Takes the user's oldest cells off once it holds more than HISTORY_KEEP plus its chunk length, leaving
 * the newest HISTORY_KEEP, and returns the chunk item that keeps them (null when nothing moves).
 */
export function archiveOldCells(u: UserState): ArchiveChunkItem | null {
  const h = u.history;
  if (h.length <= HISTORY_KEEP + CHUNK_MIN || h.length <= HISTORY_KEEP + chunkCellsOf(u.name)) return null;
  const cut = h.length - HISTORY_KEEP;
  const item = {
    pk: archivePk(u.name),
    sk: archiveSk(u.archivedChunks),
    c: encodeArchiveCells(h.slice(0, cut)),
  };
  u.history = h.slice(cut);
  u.archivedChunks++;
  return item;
}

/**
 * Cells as one deflated list of integers: the first bucket, then each next bucket as its distance
 * from the one before in 5-second steps, each followed by the cell's five counts. Buckets are sorted,
 * so the distances are small and mostly equal, and deflate takes a chunk of 48 cells to ~2 bytes each.
 */
export function encodeArchiveCells(cells: readonly HistoryCell[]): string {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    out.push(i === 0 ? c.b : (c.b - prev) / 5_000, c.fa, c.fr, c.rf, c.gr, c.pt);
    prev = c.b;
  }
  return deflateRawSync(Buffer.from(out.join(','), 'latin1')).toString('base64');
}

export function decodeArchiveCells(encoded: string): HistoryCell[] {
  const text = inflateRawSync(Buffer.from(encoded, 'base64')).toString('latin1');
  if (text === '') return [];
  const n = text.split(',').map(Number);
  const out: HistoryCell[] = [];
  let b = 0;
  for (let i = 0; i + 5 < n.length; i += 6) {
    b = i === 0 ? n[0] : b + n[i] * 5_000;
    out.push({
      b,
      fa: n[i + 1],
      fr: n[i + 2],
      rf: n[i + 3],
      gr: n[i + 4],
      pt: n[i + 5],
      stamp: 0,
      s0: 0,
      p0: 0,
    });
  }
  return out;
}

/** Cells from several sources as one history: sorted by bucket, cells of one bucket summed. */
export function mergeCells(parts: readonly (readonly HistoryCell[])[]): HistoryCell[] {
  const all: HistoryCell[] = [];
  for (const p of parts) for (const c of p) all.push(c);
  all.sort((x, y) => x.b - y.b);
  const out: HistoryCell[] = [];
  for (const c of all) {
    const last = out[out.length - 1];
    if (last !== undefined && last.b === c.b) {
      last.fa += c.fa;
      last.fr += c.fr;
      last.rf += c.rf;
      last.gr += c.gr;
      last.pt += c.pt;
    } else out.push({ ...c });
  }
  return out;
}

/** The cells of the user's first `chunks` archive chunks, in chunk order (one query, paged). */
export async function readArchivedCells(
  doc: DynamoDBDocumentClient,
  table: string,
  name: string,
  chunks: number,
): Promise<HistoryCell[][]> {
  const out: HistoryCell[][] = [];
  if (chunks <= 0) return out;
  let start: Record<string, unknown> | undefined;
  do {
    const res: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk < :end',
        ExpressionAttributeValues: { ':pk': archivePk(name), ':end': archiveSk(chunks) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const it of res.Items ?? []) out.push(decodeArchiveCells(it.c as string));
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  // Chunks are written before the item that counts them: one missing is a damaged store, not a race.
  if (out.length !== chunks)
    throw new Error(`history archive of '${name}': ${out.length} chunks found, the item counts ${chunks}`);
  return out;
}
