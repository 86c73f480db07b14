// Reads of the graph table as committed at a checkpoint (see user-item.ts for the undo rule).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './batch-io';
import { committedImage, type UserItem } from './user-item';

export class GraphStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** Raw items as stored (uncommitted images included), by name. */
  async readRaw(names: Iterable<string>, projection?: string[]): Promise<Map<string, UserItem>> {
    const keys = [...names].map((pk) => ({ pk }));
    const opts =
      projection === undefined
        ? {}
        : {
            projection: projection.map((_, i) => `#a${i}`).join(','),
            names: Object.fromEntries(projection.map((p, i) => [`#a${i}`, p])),
          };
    const items = (await batchGet(this.doc, this.table, keys, opts)) as unknown as UserItem[];
    return new Map(items.map((i) => [i.pk, i]));
  }

  /** Committed images at `checkpoint`, by name; names that did not exist then are absent. */
  async readCommitted(names: Iterable<string>, checkpoint: string): Promise<Map<string, UserItem>> {
    const raw = await this.readRaw(names);
    const out = new Map<string, UserItem>();
    for (const [name, item] of raw) {
      const c = committedImage(item, checkpoint);
      if (c !== null) out.set(name, c);
    }
    return out;
  }
}
