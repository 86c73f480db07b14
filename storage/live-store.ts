// What each committed batch changed, for the live fan-out (SPEC 13): the processor writes one digest
// per commit into the meta table's `live` partition, right after the commit, and nothing reads it
// back but the fan-out: on AWS through the table's stream (the fan-out function never reads the
// table), locally by the runtime after each processor invocation (local/live-gateway.ts).
//
// A digest holds every changed topic's new figures, so the fan-out needs no read of its own. It is
// split into parts of at most LIVE_PART_CHARS of JSON, each topic in exactly one part (so a
// subscriber still gets at most one message per topic per batch), each part brotli-compressed in one
// item (`z`), under DynamoDB's 400 KB. Items expire after LIVE_TTL_SECONDS (the table's TTL).
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LIVE_PARTITION } from '../lib/definitions';
import { batchWrite, type WriteRequest } from './batch-io';

export { LIVE_PARTITION };
/** JSON characters per part before compression: a compressed part stays far inside 400 KB. */
export const LIVE_PART_CHARS = 300_000;
/** A digest is for the fan-out of the moment; DynamoDB's TTL removes it an hour later. */
export const LIVE_TTL_SECONDS = 3600;

/**
 * What one committed batch changed, or a part of it: the topics' new figures (queries/live.ts), in
 * the shape of the REST answers.
 */
export interface LiveDigest {
  /** the batch's last record */
  sequenceNumber: string;
  /** the pipeline's checkpoint after the batch */
  checkpoint: string;
  /** when the processor's commit of the batch returned (epoch ms) */
  committedAt: number;
  topics: [topic: string, data: unknown][];
}

/** The stored form of a part: pk `live`, sk `<checkpoint>#<part>`. */
export interface LiveItem {
  pk: string;
  sk: string;
  z: Uint8Array;
  expiresAt: number;
}

/** The digest's parts, each topic in one of them (a topic's figures are never split). */
export function liveParts(d: LiveDigest, maxChars = LIVE_PART_CHARS): LiveDigest[] {
  const parts: LiveDigest[] = [];
  let topics: [string, unknown][] = [];
  let chars = 0;
  for (const t of d.topics) {
    const n = JSON.stringify(t).length;
    if (topics.length > 0 && chars + n > maxChars) {
      parts.push({ ...d, topics });
      topics = [];
      chars = 0;
    }
    topics.push(t);
    chars += n;
  }
  if (topics.length > 0 || parts.length === 0) parts.push({ ...d, topics });
  return parts;
}

export function liveWrites(d: LiveDigest): WriteRequest[] {
  const expiresAt = Math.floor(d.committedAt / 1000) + LIVE_TTL_SECONDS;
  return liveParts(d).map((part, i) => {
    const z = brotliCompressSync(JSON.stringify(part), {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 2,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
    const item: LiveItem = {
      pk: LIVE_PARTITION,
      sk: `${d.checkpoint}#${i.toString().padStart(4, '0')}`,
      z: new Uint8Array(z.buffer, z.byteOffset, z.byteLength),
      expiresAt,
    };
    return { PutRequest: { Item: item as unknown as Record<string, unknown> } };
  });
}

/** A part from its item (as the document client or a stream record's unmarshalled image gives it). */
export function decodeLiveItem(item: Record<string, unknown>): LiveDigest {
  const z = item.z;
  if (!(z instanceof Uint8Array)) throw new Error(`live item ${String(item.sk)} has no digest`);
  return JSON.parse(brotliDecompressSync(z).toString('utf8')) as LiveDigest;
}

export async function writeLiveDigest(
  doc: DynamoDBDocumentClient,
  table: string,
  d: LiveDigest,
): Promise<void> {
  await batchWrite(doc, table, liveWrites(d));
}

/**
 * The parts written after `afterSk` ('' for all), in commit order, with their sort keys: the local
 * runtime's reading of what a stream would deliver. At most `limit` parts.
 */
export async function readLiveParts(
  doc: DynamoDBDocumentClient,
  table: string,
  afterSk: string,
  limit = 100,
): Promise<{ sk: string; digest: LiveDigest }[]> {
  const res = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: afterSk === '' ? 'pk = :pk' : 'pk = :pk AND sk > :sk',
      ExpressionAttributeValues:
        afterSk === '' ? { ':pk': LIVE_PARTITION } : { ':pk': LIVE_PARTITION, ':sk': afterSk },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map((it) => ({ sk: String(it.sk), digest: decodeLiveItem(it) }));
}

/** Removes parts the local fan-out has pushed (dynalite has no TTL). */
export async function deleteLiveParts(
  doc: DynamoDBDocumentClient,
  table: string,
  sks: string[],
): Promise<void> {
  await batchWrite(
    doc,
    table,
    sks.map((sk) => ({ DeleteRequest: { Key: { pk: LIVE_PARTITION, sk } } })),
  );
}
