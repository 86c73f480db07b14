// One runtime per data dir: `npm start` on a data dir another runtime is using says so in one line
// and exits non-zero (real processes, local/start.ts); a lock left by a process that is gone is
// taken over.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../local/data-dir-lock';
import { REPO_ROOT } from '../../local/runtime';

const root = mkdtempSync(join(tmpdir(), 'bacefook-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function start(dataDir: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'local/start.ts'),
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--kinesis-port',
      '0',
      '--dynamo-port',
      '0',
      '--no-generator',
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (stdout.includes('embedded runtime ready')) resolve();
    });
    void ended.then((code) => reject(new Error(`exited ${code} before it was ready: ${stderr}`)));
  });
  // Awaited only by the starts expected to come up.
  ready.catch(() => undefined);
  return { child, ready, ended, out: () => ({ stdout, stderr }) };
}

describe('one runtime per data dir', () => {
  it('a second npm start on a data dir in use says so in one line and exits non-zero', async () => {
    const dir = join(root, 'data');
    const first = start(dir);
    await first.ready;

    const second = start(dir);
    const code = await second.ended;
    assert.notEqual(code, 0);
    const lines = second.out().stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.out().stderr);
    assert.match(lines[0], new RegExp(`in use by another runtime \\(pid ${first.child.pid}\\)`));
    assert.match(lines[0], /--data-dir/);

    // (A lock whose process is gone is taken over: the next test.)
    first.child.kill('SIGKILL');
    await first.ended;
  });

  it('lockDataDir: refuses a live holder, takes over a dead one, and releases only its own lock', () => {
    const dir = join(root, 'unit');
    // A live process other than this one: the parent of the test runner.
    writeFileSync(join(root, 'x'), '');
    const release = lockDataDir(dir);
    release();
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    assert.throws(() => lockDataDir(dir), DataDirInUseError);
    // A process that has ended.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, LOCK_FILE), `${gone.stdout.toString()}\n`);
    const mine = lockDataDir(dir);
    // Taken by someone else meanwhile: releasing leaves their lock alone.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    mine();
    assert.throws(() => lockDataDir(dir), DataDirInUseError);
  });
});
