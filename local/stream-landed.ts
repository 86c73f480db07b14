// How much of a batch of events is already in the stream: the generator loop asks this when it finds
// a batch that a kill (or a failed send) may have cut short, so that it sends only the rest.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { decodeRecord } from '../domain/records';

/**
 * The number of leading `events` found, in order, in the records after the record `after` (from the
 * trim horizon when undefined). A record counts when its events are exactly the next ones of the
 * batch; records of other producers between them are passed over. One shard, as everywhere locally.
 */
export async function landedPrefix(
  kinesis: KinesisClient,
  streamName: string,
  events: readonly unknown[],
  after: string | undefined,
): Promise<number> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const shardId = shards.Shards?.[0]?.ShardId;
  if (!shardId) return 0;
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    )
  ).ShardIterator;
  const wanted = events.map((e) => JSON.stringify(e));
  let landed = 0;
  while (iterator && landed < wanted.length) {
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
    const records = res.Records ?? [];
    for (const r of records) {
      const items = decodeRecord(r.Data ?? new Uint8Array());
      if (items.length === 0 || landed + items.length > wanted.length) continue;
      if (items.every((item, i) => JSON.stringify(item) === wanted[landed + i])) landed += items.length;
    }
    if (records.length === 0 && !res.MillisBehindLatest) break;
    iterator = res.NextShardIterator;
  }
  return landed;
}
