// `npm run logs --target aws|localstack` against a fake CloudWatch Logs client: the log group the stack
// names, the time window and filter sent to FilterLogEvents, pagination, --follow without duplicates,
// Lambda's text lines turned into the local runtime's JSON form, LocalStack's client settings, and a
// clear message when the group does not exist.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  CloudWatchLogsClientConfig,
  FilterLogEventsCommand,
  FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { cloudLogGroupName, PROCESSOR } from '../../lib/definitions';
import type { Io } from '../../scripts/cli-args';
import { cloudWatchConfig, fromCloudWatch, type LogsClient, logsMain, parseSince } from '../../scripts/logs';

const NOW = Date.UTC(2025, 6, 18, 12, 0, 0);

function capture(): { io: Io; lines: () => any[] } {
  let out = '';
  return {
    io: {
      stdout: {
        write: (s: string) => {
          out += s;
          return true;
        },
      },
      stderr: { write: () => true },
      env: {},
    },
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/** A client answering each FilterLogEvents call with the next scripted page. */
function fakeClient(pages: (FilterLogEventsCommandOutput | Error)[]) {
  const calls: FilterLogEventsCommand['input'][] = [];
  const configs: unknown[] = [];
  let destroyed = false;
  const factory = (config: unknown): LogsClient => {
    configs.push(config);
    return {
      send: async (cmd: FilterLogEventsCommand) => {
        calls.push(cmd.input);
        const page = pages.shift() ?? { events: [], $metadata: {} };
        if (page instanceof Error) throw page;
        return page;
      },
      destroy: () => {
        destroyed = true;
      },
    };
  };
  return { factory, calls, configs, destroyed: () => destroyed };
}

const json = (o: object) => JSON.stringify(o);
const page = (
  events: { id: string; t: number; m: string }[],
  nextToken?: string,
): FilterLogEventsCommandOutput => ({
  events: events.map((e) => ({ eventId: e.id, timestamp: e.t, message: e.m, logStreamName: 's' })),
  nextToken,
  $metadata: {},
});

describe('npm run logs, CloudWatch', () => {
  test('reads the function log group from --since, across pages, printing JSON as it is', async () => {
    const batch = { level: 'INFO', message: 'batch folded', firstSequenceNumber: '1', timestamp: 'x' };
    const fake = fakeClient([
      page([{ id: 'a', t: NOW - 1000, m: `${json(batch)}\n` }], 'next'),
      page([{ id: 'b', t: NOW - 500, m: 'START RequestId: 1f0c Version: $LATEST\n' }]),
    ]);
    const { io, lines } = capture();
    await logsMain(
      ['processor', '--target', 'aws', '--stack', 'Dev', '--since', '1h', '--filter', 'batch'],
      io,
      {
        now: () => NOW,
        cloudWatch: fake.factory,
      },
    );
    assert.equal(fake.calls.length, 2);
    assert.equal(fake.calls[0].logGroupName, cloudLogGroupName('Dev', PROCESSOR.id));
    assert.equal(fake.calls[0].startTime, NOW - 3_600_000);
    assert.equal(fake.calls[0].filterPattern, '"batch"');
    assert.equal(fake.calls[1].nextToken, 'next');
    assert.deepEqual(lines(), [
      batch,
      {
        timestamp: new Date(NOW - 500).toISOString(),
        level: 'INFO',
        stream: 'platform',
        message: 'START RequestId: 1f0c Version: $LATEST',
      },
    ]);
    assert.ok(fake.destroyed());
  });

  test("Lambda's text format: the JSON inside it, or level and message", () => {
    const id = '6b1d9c5e-8a1f-4c1e-9f3a-2b7c1d0e4f5a';
    assert.deepEqual(
      fromCloudWatch({ timestamp: NOW, message: `2025-07-18T12:00:00.000Z\t${id}\tINFO\t{"a":1}` }),
      {
        a: 1,
      },
    );
    assert.deepEqual(
      fromCloudWatch({ timestamp: NOW, message: `2025-07-18T12:00:00.000Z\t${id}\tERROR\toops` }),
      {
        timestamp: new Date(NOW).toISOString(),
        level: 'ERROR',
        stream: 'stdout',
        requestId: id,
        message: 'oops',
      },
    );
  });

  test('--follow polls from the newest timestamp without printing an event twice, until stopped', async () => {
    const controller = new AbortController();
    const fake = fakeClient([
      page([{ id: 'a', t: NOW - 2000, m: '{"n":1}' }]),
      page([
        { id: 'a', t: NOW - 2000, m: '{"n":1}' },
        { id: 'b', t: NOW - 1000, m: '{"n":2}' },
      ]),
      page([{ id: 'c', t: NOW, m: '{"n":3}' }]),
    ]);
    const { io, lines } = capture();
    const factory = (c: CloudWatchLogsClientConfig) => {
      const client = fake.factory(c);
      return {
        send: async (cmd: FilterLogEventsCommand) => {
          const res = await client.send(cmd);
          if (fake.calls.length === 3) controller.abort();
          return res;
        },
        destroy: () => client.destroy(),
      };
    };
    await logsMain(['Processor', '--target', 'aws', '--follow'], io, {
      now: () => NOW,
      cloudWatch: factory,
      signal: controller.signal,
      pollMs: 1,
    });
    assert.deepEqual(
      lines().map((l) => l.n),
      [1, 2, 3],
    );
    assert.deepEqual(
      fake.calls.map((c) => c.startTime),
      [NOW - 600_000, NOW - 2000, NOW - 1000],
    );
  });

  test('LocalStack: its edge, test credentials and us-east-1; AWS: the default chain', () => {
    assert.deepEqual(cloudWatchConfig({ target: 'localstack' }), {
      region: 'us-east-1',
      endpoint: 'http://localhost.localstack.cloud:4566',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    assert.deepEqual(cloudWatchConfig({ target: 'aws', region: 'eu-west-1' }), { region: 'eu-west-1' });
  });

  test('a missing log group says what to check', async () => {
    const missing = Object.assign(new Error('The specified log group does not exist.'), {
      name: 'ResourceNotFoundException',
    });
    const fake = fakeClient([missing]);
    await assert.rejects(
      logsMain(['snapshot', '--target', 'localstack'], capture().io, {
        now: () => NOW,
        cloudWatch: fake.factory,
      }),
      /no log group \/aws\/lambda\/Bacefook-Snapshot \(localstack\)/,
    );
  });

  test('--since forms', () => {
    assert.equal(parseSince('30s', NOW), NOW - 30_000);
    assert.equal(parseSince('2d', NOW), NOW - 172_800_000);
    assert.equal(parseSince('2025-07-18T11:00:00Z', NOW), NOW - 3_600_000);
    assert.equal(parseSince(String(NOW - 5), NOW), NOW - 5);
    assert.throws(() => parseSince('yesterday', NOW), /--since/);
  });
});
