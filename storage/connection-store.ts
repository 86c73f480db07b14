// The WebSocket API's connections table (AWS only; lib/definitions.ts CONNECTIONS_TABLE): one item per
// open connection with the topics it subscribed to, and a TTL for connections whose $disconnect never
// came. The connections function writes it ($connect, subscribe, $disconnect); the fan-out lists it and
// deletes the connections API Gateway says are gone. Locally the connections live in memory
// (local/live-gateway.ts).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CONNECTION_TTL_SECONDS } from '../lib/definitions';

export interface ConnectionItem {
  connectionId: string;
  topics: string[];
  /** TTL (epoch seconds) */
  expiresAt: number;
}

export class DynamoConnectionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async open(connectionId: string, nowMs = Date.now()): Promise<void> {
    const item: ConnectionItem = {
      connectionId,
      topics: [],
      expiresAt: Math.floor(nowMs / 1000) + CONNECTION_TTL_SECONDS,
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /** The connection's topics; null when it is not (or no longer) known. */
  async topics(connectionId: string): Promise<string[] | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { connectionId }, ConsistentRead: true }),
    );
    const topics = res.Item?.topics;
    return Array.isArray(topics) ? topics.map(String) : res.Item ? [] : null;
  }

  /** Sets the connection's topics; false when it is gone (a disconnect came first). */
  async setTopics(connectionId: string, topics: string[]): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { connectionId },
          UpdateExpression: 'SET topics = :t',
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':t': topics },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** Every connection holding a topic (one paginated Scan: a connection item is small). */
  async subscribed(): Promise<{ connectionId: string; topics: string[] }[]> {
    const out: { connectionId: string; topics: string[] }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new ScanCommand({
          TableName: this.table,
          ExclusiveStartKey: start,
          FilterExpression: 'size(topics) > :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
      for (const it of res.Items ?? []) {
        if (Array.isArray(it.topics))
          out.push({ connectionId: String(it.connectionId), topics: it.topics.map(String) });
      }
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  async remove(connectionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { connectionId } }));
  }
}
