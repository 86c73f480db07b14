// Creates the tables of lib/definitions.ts through the DynamoDB API: used by the embedded runtime,
// the tests and the benchmark (the CDK stack creates the same tables on AWS and LocalStack).
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDef } from '../lib/definitions';

export function createTableInput(def: TableDef, tableName: string): CreateTableCommandInput {
  const attrs = new Map<string, 'S' | 'N'>();
  const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  for (const k of keys) if (k) attrs.set(k.name, k.type);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes:
      def.indexes.length === 0
        ? undefined
        : def.indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
              ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: i.projection },
          })),
  };
}

/** Creates every table (named by `nameOf`) unless it exists, and waits until each is ACTIVE. */
export async function provisionTables(
  client: DynamoDBClient,
  nameOf: (def: TableDef) => string = (d) => d.localName,
): Promise<void> {
  for (const def of TABLES) {
    const TableName = nameOf(def);
    try {
      await client.send(new CreateTableCommand(createTableInput(def, TableName)));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    for (let i = 0; i < 100; i++) {
      const d = await client.send(new DescribeTableCommand({ TableName }));
      if (d.Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
