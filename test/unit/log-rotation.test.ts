// The local runtime's log files are capped (local/logs.ts): a file that would pass its cap is renamed
// to `<name>.1.log` and a new one begins, so a log holds at most twice the cap. `npm run logs` reads
// the rotated part before the current one, and `--follow` loses no line across a rotation.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { LogFiles } from '../../local/logs';
import type { Io } from '../../scripts/cli-args';
import { logsMain } from '../../scripts/logs';

const CAP = 2_000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bacefook-rotation-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const indexes = (text: string): number[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { i: number }).i);

function capture(): { io: Io; lines: () => number[] } {
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
    lines: () => indexes(out),
  };
}

test('a log never holds more than twice its cap, and keeps its newest entries in order', async () => {
  const logs = new LogFiles({ dir, truncate: true, maxBytes: CAP });
  for (let i = 0; i < 500; i++) logs.log('info', 'test', 'an entry of about a hundred bytes', { i });
  await logs.close();
  assert.deepEqual(readdirSync(dir).sort(), ['runtime.1.log', 'runtime.log']);
  const line = 120;
  for (const f of ['runtime.log', 'runtime.1.log']) {
    assert.ok(statSync(join(dir, f)).size <= CAP + line, `${f}: ${statSync(join(dir, f)).size} bytes`);
  }
  const kept = [
    ...indexes(readFileSync(join(dir, 'runtime.1.log'), 'utf8')),
    ...indexes(readFileSync(join(dir, 'runtime.log'), 'utf8')),
  ];
  assert.equal(kept[kept.length - 1], 499);
  assert.deepEqual(
    kept,
    kept.map((_, k) => kept[0] + k),
    'consecutive',
  );
  assert.ok(kept.length >= CAP / line, `${kept.length} entries kept`);

  // npm run logs reads both parts, oldest first.
  const c = capture();
  await logsMain(['runtime', '--log-dir', dir, '--since', '1h'], c.io);
  assert.deepEqual(c.lines(), kept);
});

test('a runtime started again in memory starts its logs empty, the rotated part too', async () => {
  writeFileSync(join(dir, 'runtime.1.log'), '{"i":-2}\n');
  writeFileSync(join(dir, 'runtime.log'), '{"i":-1}\n');
  const logs = new LogFiles({ dir, truncate: true, maxBytes: CAP });
  logs.log('info', 'test', 'fresh', { i: 0 });
  await logs.close();
  assert.deepEqual(readdirSync(dir).sort(), ['runtime.log']);
  const kept = new LogFiles({ dir, truncate: false, maxBytes: CAP });
  kept.log('info', 'test', 'appended', { i: 1 });
  await kept.close();
  assert.deepEqual(indexes(readFileSync(join(dir, 'runtime.log'), 'utf8')), [0, 1]);
});

test('--follow prints every entry once, in order, across rotations', async () => {
  const logs = new LogFiles({ dir, truncate: true, maxBytes: CAP });
  let written = 0;
  const write = (n: number) => {
    for (let k = 0; k < n; k++)
      logs.log('info', 'test', 'an entry of about a hundred bytes', { i: written++ });
  };
  write(5);
  const c = capture();
  const stop = new AbortController();
  const following = logsMain(['runtime', '--log-dir', dir, '--since', '1h', '--follow'], c.io, {
    signal: stop.signal,
    pollMs: 5,
  });
  const printedAll = async () => {
    for (let t = 0; t < 1_000 && c.lines().length < written; t++) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    for (let round = 0; round < 6; round++) {
      await printedAll();
      // Between two looks of the follower: entries into the file it follows, a rotation, and more
      // (less than a file's worth: a follower that sleeps through two rotations misses the file
      // between them, since only one rotated file is kept).
      write(8 + round);
    }
    await printedAll();
  } finally {
    stop.abort();
    await following;
    await logs.close();
  }
  assert.deepEqual(
    c.lines(),
    Array.from({ length: written }, (_, i) => i),
  );
});
