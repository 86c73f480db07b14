// `npm run logs` against the embedded runtime: a real local runtime (generator on, so the processor
// folds batches) writes its per-function JSON log files, and the logs command reads them back as JSON
// lines, by function name, with the window, filter and limit; `--follow` (a real CLI process) prints
// new entries as they are written and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import type { Io } from '../../scripts/cli-args';
import { logsMain } from '../../scripts/logs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let rt: LocalRuntime;
let dataDir: string;

/** Runs the logs command in process; returns its stdout lines, each parsed as JSON. */
async function logs(...argv: string[]): Promise<Record<string, unknown>[]> {
  let out = '';
  const io: Io = {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: { write: () => true },
    env: {},
  };
  await logsMain(argv, io);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bacefook-logs-'));
  rt = await startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    dataDir,
    generatorUsers: 20,
    generatorEveryMs: 250,
    snapshotEveryMs: false,
    quiet: true,
  });
  await rt.drain(20_000);
  await fetch(`${rt.apiUrl}/health`);
});

after(async () => {
  await rt?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run logs, local runtime', () => {
  test('the processor: Powertools JSON with the batch sequence range, counts, durations; EMF metrics', async () => {
    // --data-dir finds the folder the runtime chose for that data directory (localLogDir).
    const entries = await logs('processor', '--data-dir', dataDir);
    const batches = entries.filter((e) => e.message === 'batch folded');
    assert.ok(batches.length > 0, JSON.stringify(entries.slice(0, 3)));
    const b = batches[0];
    assert.equal(b.service, 'bacefook-processor');
    assert.equal(typeof b.firstSequenceNumber, 'string');
    assert.equal(typeof b.lastSequenceNumber, 'string');
    assert.ok(b.tally && b.durationsMs, 'counts and durations');
    assert.ok(
      entries.some((e) => e._aws !== undefined && 'EventsApplied' in e),
      'EMF metrics',
    );
  });

  test('names in any case or kebab form; the same file as --log-dir', async () => {
    const byDir = await logs('Processor', '--log-dir', rt.logDir);
    assert.deepEqual(await logs('PROCESSOR', '--data-dir', dataDir), byDir);
  });

  test('generator: the runtime log entries of the generator loop', async () => {
    const entries = await logs('generator', '--data-dir', dataDir);
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.component === 'generator'));
    assert.ok(entries.some((e) => e.message === 'batch sent'));
  });

  test('runtime, with --filter, --limit and --since', async () => {
    const all = await logs('runtime', '--data-dir', dataDir);
    assert.ok(all.length > 2);
    const started = await logs('runtime', '--data-dir', dataDir, '--filter', '"started"');
    assert.ok(started.length >= 1 && started.every((e) => JSON.stringify(e).includes('"started"')));
    assert.equal((await logs('runtime', '--data-dir', dataDir, '--limit', '2')).length, 2);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual(await logs('runtime', '--data-dir', dataDir, '--since', future), []);
  });

  test('--follow (the CLI) prints entries written after it started, and stops on SIGTERM', async () => {
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/logs.ts'), 'processor', '--data-dir', dataDir, '--follow'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no new entry followed; stderr: ${err}`)), 20_000);
        child.stdout.on('data', (d) => {
          out += String(d);
          const fresh = out
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as { message?: string; timestamp?: string })
            .some((e) => e.message === 'batch folded' && Date.parse(e.timestamp ?? '') > startedAt + 500);
          if (fresh) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
  });
});
