// local/collect.ts: the long run's collections reach every thread the runtime starts (a real process
// with --expose-gc and real worker threads), and without --expose-gc the long run says what it needs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../local/runtime';

const run = promisify(execFile);

describe('collections of every heap', () => {
  it('one request collects the heap of every thread started as the runtime starts them, and tells each heap', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'test/support/collect-child.ts')],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    assert.deepEqual(JSON.parse(stdout.trim()), {
      answered: 2,
      collected: [true, true],
      heapsKept: [true, true, true],
    });
  });

  it('the long run refuses --collect without --expose-gc, saying so', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', 'scripts/soak.ts', '--long', '--collect', '--minutes', '1'], {
        cwd: REPO_ROOT,
        timeout: 60_000,
        // (whatever the shell's NODE_OPTIONS say, this process has no gc to call)
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
      (err: { stderr?: string; code?: number }) => {
        assert.match(err.stderr ?? '', /--collect needs node --expose-gc/);
        assert.notEqual(err.code, 0);
        return true;
      },
    );
  });
});
