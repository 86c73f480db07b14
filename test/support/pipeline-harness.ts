// Helpers to drive the real BatchProcessor against a real dynalite and read back the whole graph,
// in the shape the reference model uses.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { packRecords } from '../../domain/record-encoding';
import { BatchProcessor, type StreamRecord } from '../../lambdas/processor/batch-processor';
import { mergeCells, readArchivedCells } from '../../storage/history-archive';
import { PipelineStore } from '../../storage/pipeline-store';
import { decodeHistory, decodeTimedNames, type UserItem } from '../../storage/user-item';
import type { ReferenceModel } from '../reference/model';

export type Tables = { graph: string; history: string; meta: string };

/** Kinesis-like sequence numbers: 56-digit decimals, strictly increasing. */
export function sequenceNumbers(
  n: number,
  start = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n,
) {
  return Array.from({ length: n }, (_, i) => (start + BigInt(i) * 7n).toString());
}

/** Packs items into small records (several per batch), mixing compressions, and numbers them. */
export function toRecords(items: unknown[], perRecord = 50): StreamRecord[] {
  const payloads: Buffer[] = [];
  const kinds = ['brotli', 'gzip', 'none'] as const;
  for (let i = 0, k = 0; i < items.length; i += perRecord, k++) {
    const slice = items.slice(i, i + perRecord);
    payloads.push(...packRecords(slice, { compression: kinds[k % 3], maxEventsPerRecord: perRecord }));
  }
  const seqs = sequenceNumbers(payloads.length);
  return payloads.map((data, i) => ({ sequenceNumber: seqs[i], data }));
}

export function batches<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export async function scanAll(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The committed graph as plain data, comparable with `modelGraph`. */
export async function committedGraph(doc: DynamoDBDocumentClient, tables: Tables) {
  const state = await new PipelineStore(doc, tables).readState();
  const items = (await scanAll(doc, tables.graph)) as unknown as UserItem[];
  const users: Record<string, unknown> = {};
  for (const raw of items) {
    const item = raw;
    // The whole history: the item's newest cells and the archived chunks it counts.
    const archived = await readArchivedCells(doc, tables.history, item.pk, item.hn ?? 0);
    const cells = mergeCells([...archived, decodeHistory(item.h)]).map((c) => [
      c.b,
      c.fa,
      c.fr,
      c.rf,
      c.gr,
      c.pt,
    ]);
    users[item.pk] = {
      registeredAt: item.ra,
      referredBy: item.rb ?? null,
      referredAt: item.rb === undefined ? null : item.rba,
      friends: Object.fromEntries(decodeTimedNames(item.f)),
      referrals: [...decodeTimedNames(item.rf)].flat(),
      points: item.pts,
      friendsCount: item.fc,
      referralsCount: item.rc,
      history: cells,
    };
  }
  return { users, tally: state.tally, users_count: state.counters.users ?? 0 };
}

export function modelGraph(model: ReferenceModel) {
  const users: Record<string, unknown> = {};
  for (const name of model.names()) {
    const u = model.user(name)!;
    const referrals: (string | number)[] = [];
    for (const [n, at] of u.referrals) referrals.push(n, at);
    users[name] = {
      registeredAt: u.registeredAt,
      referredBy: u.referredBy,
      referredAt: u.referredAt,
      friends: Object.fromEntries([...u.friends]),
      referrals,
      points: u.points,
      friendsCount: u.friends.size,
      referralsCount: u.referrals.size,
      history: model
        .bucketDeltas(name)
        .filter((d) => d.fa || d.fr || d.rf || d.gr || d.pt)
        .map((d) => [d.bucket, d.fa, d.fr, d.rf, d.gr, d.pt]),
    };
  }
  return { users, tally: model.totals(), users_count: model.names().length };
}

export function processor(doc: DynamoDBDocumentClient, tables: Tables): BatchProcessor {
  return new BatchProcessor({ doc, tables });
}

/** Thrown by FaultyDoc to simulate a crash (the process dying between two writes). */
export class InjectedCrash extends Error {}

/**
 * A DynamoDB document client that lets the first `okWrites` write calls through, then fails every
 * write until `heal()`: a crash between two writes of one batch.
 */
export function faultyDoc(
  doc: DynamoDBDocumentClient,
  okWrites: number,
  /** Only writes to this table count (and fail); default: every write. */
  onlyTable?: string,
) {
  let writes = 0;
  let broken = true;
  const wrapper = Object.create(doc) as DynamoDBDocumentClient;
  wrapper.send = ((cmd: {
    constructor: { name: string };
    input: { TableName?: string; RequestItems?: object };
  }) => {
    const name = cmd.constructor.name;
    // batch-io sends flat items as attribute values (BatchWriteItemCommand), others as documents.
    const isWrite =
      name === 'BatchWriteCommand' ||
      name === 'BatchWriteItemCommand' ||
      name === 'PutCommand' ||
      name === 'DeleteCommand';
    const table = cmd.input.TableName ?? Object.keys(cmd.input.RequestItems ?? {})[0];
    if (isWrite && broken && (onlyTable === undefined || table === onlyTable)) {
      writes++;
      if (writes > okWrites) return Promise.reject(new InjectedCrash(`injected crash at write ${writes}`));
    }
    return (doc.send as (c: unknown) => Promise<unknown>)(cmd);
  }) as DynamoDBDocumentClient['send'];
  return {
    doc: wrapper,
    heal() {
      broken = false;
    },
    get writes() {
      return writes;
    },
  };
}
