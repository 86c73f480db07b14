// A registry of names: the user names behind /meta/users, and (another partition) the product ids
// behind /products. Each batch that registers users writes the new names
// as one group of chunk items (meta table, pk 'registrations', sk = `<batch's first position>#<i>`),
// through its redo log like every other put: a handful of items per batch instead of one per new user,
// which was a quarter of all item writes when a stream registers users quickly. Readers keep the names
// in memory, sorted, and read only the groups written since their last look (one small Query), so a
// prefix count or a page is a binary search instead of a count over the whole index.
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { SortedNames } from '../domain/name-list';
import { slices } from './batch-io';

export const REGISTRATIONS_PARTITION = 'registrations';

/** The items that record the names a batch registered (none when it registered nobody). */
export function registrationItems(
  first: string,
  names: readonly string[],
  partition = REGISTRATIONS_PARTITION,
): Record<string, unknown>[] {
  if (names.length === 0) return [];
  const parts = slices(JSON.stringify(names));
  return parts.map((d, i) => ({
    pk: partition,
    sk: `${first}#${i.toString().padStart(4, '0')}`,
    first,
    n: parts.length,
    d,
  }));
}

export class NameIndex {
  readonly names = new SortedNames();
  /** Sort key of the last item of the last complete group taken in. */
  private after: string | undefined;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** the registry read: user names by default; the product ids are another (storage/marketplace) */
    private readonly partition = REGISTRATIONS_PARTITION,
  ) {}

  /**
   * Takes in every group written since the last call. Callers that arrive while a read is under way
   * share it, so a burst of requests costs one Query.
   */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    let start: Record<string, unknown> | undefined =
      this.after === undefined ? undefined : { pk: this.partition, sk: this.after };
    let group: { first: string; n: number; parts: string[] } | null = null;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': this.partition },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const it of res.Items ?? []) {
        const first = it.first as string;
        // A group is written whole before the next batch starts (a decided batch is finished before
        // anything after it), so an unfinished group followed by another one cannot finish: skip it.
        if (group !== null && group.first !== first) group = null;
        group ??= { first, n: it.n as number, parts: [] };
        group.parts.push(it.d as string);
        if (group.parts.length === group.n) {
          this.names.add(JSON.parse(group.parts.join('')) as string[]);
          this.after = it.sk as string;
          group = null;
        }
      }
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    // An unfinished group at the end is being written now: it is read again next time.
  }
}
