// A real dynalite in process for tests, with the project's tables created from lib/definitions.ts.

import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { makeDynamoClient } from '../../storage/clients';
import { provisionTables } from '../../storage/provision';

export interface TestDynamo {
  endpoint: string;
  doc: DynamoDBDocumentClient;
  tables: { graph: string; history: string; meta: string };
  /** A fresh set of tables (new names), so tests sharing one server stay independent. */
  freshTables(): Promise<{ graph: string; history: string; meta: string }>;
  stop(): Promise<void>;
}

/**
 * A plain DynamoDB client of a dynalite listening on 127.0.0.1:`port` (the emulator tests' own
 * servers); `maxAttempts` 1 makes a failed request show as it is, with no retry.
 */
export function localDynamoClient(port: number, o: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...o,
  });
}

let counter = 0;

export async function startDynamo(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const base = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const doc = makeDynamoClient({ endpoint });
  async function freshTables() {
    const n = ++counter;
    const names = { graph: `graph-${n}`, history: `history-${n}`, meta: `meta-${n}` };
    await provisionTables(base, (d) =>
      d.id === 'GraphTable' ? names.graph : d.id === 'HistoryTable' ? names.history : names.meta,
    );
    return names;
  }
  const tables = await freshTables();
  return {
    endpoint,
    doc,
    tables,
    freshTables,
    stop: async () => {
      doc.destroy();
      base.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
