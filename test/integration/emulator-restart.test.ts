// A data directory where dynalite was stopped between the two steps of CreateTable or DeleteTable, as
// a killed process leaves it (the crash-replay test's kills land there now and then): started again,
// the emulators finish both (local/dynalite-tables.ts), so the runtime can delete and create its
// tables as on any other start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { takeDynaliteStore, trackDynaliteStores } from '../../local/dynalite-tables';
import { startServers } from '../../local/emulator-servers';
import { localDynamoClient } from '../support/dynamo';

const root = mkdtempSync(join(tmpdir(), 'bacefook-emulator-restart-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A client that does not retry: each request's own outcome is what the test looks at. */
const clientOf = (port: number) => localDynamoClient(port, { maxAttempts: 1 });

const table = (TableName: string) =>
  new CreateTableCommand({
    TableName,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  });

const status = (c: DynamoDBClient, TableName: string) =>
  c.send(new DescribeTableCommand({ TableName })).then(
    (d) => d.Table?.TableStatus,
    (err: Error) => err.name,
  );

/** Waits until the table is ACTIVE (dynalite makes it so on a timer, even at createTableMs 0). */
async function active(c: DynamoDBClient, TableName: string): Promise<void> {
  while ((await status(c, TableName)) !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
}

describe('a data directory left with tables half created or half deleted', () => {
  test('started again, the half-created table is ACTIVE and the half-deleted one is gone', async () => {
    const dir = join(root, 'dynamodb');
    trackDynaliteStores();
    const before = dynalite({ createTableMs: 0, deleteTableMs: 0, path: dir }) as Server;
    const store = takeDynaliteStore();
    await new Promise<void>((r) => before.listen(0, '127.0.0.1', r));
    let c = clientOf((before.address() as AddressInfo).port);
    await c.send(table('coming'));
    await c.send(table('going'));
    await active(c, 'coming');
    await active(c, 'going');
    await c.send(new PutItemCommand({ TableName: 'going', Item: { pk: { S: 'left-behind' } } }));
    // As a process killed between the two steps leaves them: CreateTable's first step stored the
    // table CREATING; DeleteTable's stored it DELETING (and was killed before emptying it).
    for (const [name, TableStatus] of [
      ['coming', 'CREATING'],
      ['going', 'DELETING'],
    ]) {
      const t = await new Promise<unknown>((resolve, reject) =>
        store.tableDb.get(name, (err, value) => (err ? reject(err) : resolve(value))),
      );
      await new Promise<void>((resolve, reject) =>
        store.tableDb.put(name, { ...(t as object), TableStatus }, (err) => (err ? reject(err) : resolve())),
      );
    }
    // What the runtime met: a table being created cannot be deleted, and nothing ends a deletion.
    await assert.rejects(c.send(new DeleteTableCommand({ TableName: 'coming' })), ResourceInUseException);
    assert.equal(await status(c, 'going'), 'DELETING');
    c.destroy();
    await new Promise<void>((r) => before.close(() => r()));

    const servers = await startServers({
      kinesisPort: 0,
      dynamoPort: 0,
      host: '127.0.0.1',
      only: 'dynamodb',
      dataDir: root,
    });
    c = clientOf(servers.ports.dynamodb);
    try {
      assert.equal(await status(c, 'coming'), 'ACTIVE');
      assert.equal(await status(c, 'going'), ResourceNotFoundException.name);
      // The half-deleted table's items went with it: a table made again under its name is empty.
      await c.send(table('going'));
      await active(c, 'going');
      assert.equal((await c.send(new ScanCommand({ TableName: 'going' }))).Count, 0);
      // And the half-created one can be deleted, as a replay into fresh tables does.
      await c.send(new DeleteTableCommand({ TableName: 'coming' }));
      while ((await status(c, 'coming')) === 'DELETING') await new Promise((r) => setTimeout(r, 5));
      assert.equal(await status(c, 'coming'), ResourceNotFoundException.name);
    } finally {
      c.destroy();
      await servers.stop();
    }
  });
});
