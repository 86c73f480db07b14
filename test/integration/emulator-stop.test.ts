// Stopping the embedded dynalite while it is still reading must not end its thread. dynalite throws
// any store error that has no HTTP status (its index.js: `if (err) throw err`), and closing the store
// closes the iterators of the reads still under way, so two things guard it:
// - stopping waits until dynalite has answered every request it took, even one whose client has gone
//   (local/emulator-servers.ts, trackRequests);
// - a read whose store closes under it anyway (past stop's bound) fails that request with a 500,
//   never a partial answer (local/dynalite-iterators.ts).
// Both run on a data directory, where the store is classic-level (the crash tests' and --data-dir's).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { installIteratorFix } from '../../local/dynalite-iterators';
import { startServers } from '../../local/emulator-servers';
import { localDynamoClient } from '../support/dynamo';

const root = mkdtempSync(join(tmpdir(), 'bacefook-emulator-stop-'));
after(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client that does not retry: each request's own outcome is what the test looks at. */
const clientOf = (port: number) => localDynamoClient(port, { maxAttempts: 1 });

/** Two tables; the first with enough data (5,000 items of 2 kB) that reading it takes a while. */
async function fill(client: DynamoDBClient): Promise<void> {
  for (const t of ['big', 'small']) {
    await client.send(
      new CreateTableCommand({
        TableName: t,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  const v = 'x'.repeat(2_000);
  for (let b = 0; b < 200; b++) {
    const items = Array.from({ length: 25 }, (_, i) => ({
      PutRequest: { Item: { pk: { S: 'p' }, sk: { S: String(b * 25 + i).padStart(6, '0') }, v: { S: v } } },
    }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { big: items } }));
  }
}

/**
 * Starts reads of every kind dynalite answers from a store iterator (ListTables and DeleteTable:
 * keys). Their answers do not matter (the client hangs up on them): each settles either way.
 */
function startReads(client: DynamoDBClient): void {
  const ignore = () => undefined;
  client
    .send(
      new QueryCommand({
        TableName: 'big',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'p' } },
      }),
    )
    .catch(ignore);
  client.send(new ScanCommand({ TableName: 'big' })).catch(ignore);
  client.send(new ListTablesCommand({})).catch(ignore);
  client.send(new DeleteTableCommand({ TableName: 'small' })).catch(ignore);
}

describe('stopping dynalite while it reads', () => {
  let uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  test('clients that gave up mid-read: stop waits for dynalite to answer, and nothing is thrown', async () => {
    // Each delay lands the stop at another point of the reads (before, in the middle, near the end).
    for (const delay of [2, 10, 25]) {
      const servers = await startServers({
        kinesisPort: 0,
        dynamoPort: 0,
        host: '127.0.0.1',
        only: 'dynamodb',
        dataDir: join(root, `gave-up-${delay}`),
      });
      const client = clientOf(servers.ports.dynamodb);
      await fill(client);
      startReads(client);
      await sleep(delay);
      // As a stopped function thread does: its sockets close, and dynalite goes on with the reads.
      client.destroy();
      await servers.stop();
      await sleep(200);
      assert.deepEqual(uncaught, [], `stopped ${delay} ms into the reads`);
    }
  });

  test('a store closed under a read fails that request, and nothing is thrown', async () => {
    installIteratorFix();
    const server = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      path: join(root, 'closed-under'),
    }) as Server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = clientOf((server.address() as AddressInfo).port);
    await fill(client);
    const query = () =>
      client
        .send(
          new QueryCommand({
            TableName: 'big',
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'p' } },
          }),
        )
        .then(
          (r) => `${r.Count} items`,
          (err: Error & { $metadata?: { httpStatusCode?: number } }) =>
            `${err.name} ${err.$metadata?.httpStatusCode ?? ''}`.trim(),
        );
    // A whole answer is one 1 MB page of the table: what the same query gets undisturbed.
    const whole = await query();
    assert.match(whole, /^\d+ items$/);
    const answers = [query(), query(), query()];
    await sleep(10);
    // dynalite's own close closes the store as soon as its connections are gone, whatever it is reading.
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    const got = await Promise.all(answers);
    client.destroy();
    await sleep(200);
    assert.deepEqual(uncaught, []);
    for (const a of got) {
      // All or nothing: the whole page, or an error (a 500, or the connection closed with the server).
      assert.ok(a === whole || !a.endsWith('items'), `${a} (whole: ${whole})`);
    }
    assert.ok(
      got.some((a) => a !== whole),
      `at least one read was cut by the close: ${got.join(', ')}`,
    );
  });
});
