// The snapshot job's state item in the meta table (pk 'snapshot', sk 'state3').
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RollupConflictError } from './rollup-store';

export interface SnapshotState {
  /** `first` of the last journal folded into the rollups ('' before the first run) */
  cursor: string;
  /** journals folded so far */
  journals: number;
  /** wall-clock time of the last completed run, epoch ms */
  lastBuiltAt: number | null;
  /** start of the earliest / latest 5-second bucket with data */
  earliest: number | null;
  latest: number | null;
  /** rollup blocks per level, keyed by the level's size in ms, counted per time span (any set) */
  buckets: Record<string, number>;
  /** rollup blocks per figure set and level */
  blocksBySet: Record<string, Record<string, number>>;
  /** see lambdas/snapshot/snapshot-builder.ts for what this promises */
  coveredUntil: number | null;
  /**
   * Identity of the rollup name dictionary the rollups use, drawn when they start from nothing ('' in
   * an empty store). Caches of the dictionary (snapshot job, API) are kept only while it is the same:
   * a store rebuilt from scratch gives ids to names anew.
   */
  namesId: string;
  /** figure sets that have rollups (each has an all-data block and time blocks) */
  sets: string[];
  /**
   * Journals at or before this position may have been deleted ('' none): the snapshot job deletes the
   * journals it has folded, one run after folding them (lambdas/snapshot/snapshot-builder.ts). Set in
   * the state before the deletes are sent, and never moved back, so a reader of journals that reads
   * this after them knows whether any it asked for could have gone meanwhile.
   */
  trimmedTo: string;
}

/**
 * Keyed by the rollup format (storage/rollup-store.ts): a store whose rollups were written by an older
 * format has no state under this key, so the snapshot job rebuilds them from the journals.
 */
export const SNAPSHOT_KEY = { pk: 'snapshot', sk: 'state3' };

export function emptySnapshotState(): SnapshotState {
  return {
    cursor: '',
    journals: 0,
    lastBuiltAt: null,
    earliest: null,
    latest: null,
    buckets: {},
    blocksBySet: {},
    coveredUntil: null,
    namesId: '',
    sets: [],
    trimmedTo: '',
  };
}

export class SnapshotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  async read(): Promise<SnapshotState> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: SNAPSHOT_KEY, ConsistentRead: true }),
    );
    if (!res.Item) return emptySnapshotState();
    const { pk: _pk, sk: _sk, ...rest } = res.Item;
    return { ...emptySnapshotState(), ...(rest as Partial<SnapshotState>) };
  }

  /** Replaces the state if its cursor is still `expectedCursor` (one writer at a time). */
  async write(state: SnapshotState, expectedCursor: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...SNAPSHOT_KEY, ...state },
          ConditionExpression: 'attribute_not_exists(pk) OR #c = :c',
          ExpressionAttributeNames: { '#c': 'cursor' },
          ExpressionAttributeValues: { ':c': expectedCursor },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new RollupConflictError('the snapshot state was changed by another snapshot run');
      }
      throw err;
    }
  }
}
