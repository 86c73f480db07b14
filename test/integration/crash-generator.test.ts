// The local generator (local/generator-loop.ts) on a data dir, killed with SIGKILL in each window of a
// batch: after claiming it and before sending it, after sending it and before marking it sent, after
// marking it and before claiming the next, and at a seeded random moment. Each run is a real child
// process (test/support/crash-child.ts) started again on the same data dir. At the end the stream
// must hold exactly an uninterrupted generator's batches (each once, each with one time), with no
// duplicate_register, and the whole state must equal the reference model.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../../domain/generator';
import { runChild, runToEnd } from '../support/crash';

const root = mkdtempSync(join(tmpdir(), 'bacefook-crash-gen-'));
after(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local generator on a data dir, killed in every window of a batch', () => {
  it('sends every batch exactly once: the stream is an uninterrupted run, no duplicate_register, the state equals the reference', async () => {
    const dir = join(root, 'data');
    const env = { GENERATOR_BATCHES: '12' };
    for (const crashAt of ['saved:3', 'sent:5', 'marked:7']) {
      const child = runChild(['generator', dir, '5'], { ...env, CRASH_AT: crashAt });
      const end = await child.ended;
      assert.equal(end.signal, 'SIGKILL', `killed at ${crashAt}: ${end.stderr.slice(-2000)}`);
      const [step, batch] = crashAt.split(':');
      assert.deepEqual(
        child.steps.at(-1)?.phase === step && child.steps.at(-1)?.batch,
        Number(batch),
        `the last step before the kill was ${crashAt}`,
      );
    }
    // And at a random moment of the next batches.
    const random = mulberry32(Number(process.env.CRASH_SEED ?? 20_250_718));
    const child = runChild(['generator', dir, '5'], env);
    await child.reached('started');
    await sleep(Math.floor(random() * 600));
    await child.kill();

    const steps = await runToEnd(['generator-check', dir, '5'], env);
    assert.ok(steps.some((s) => s.phase === 'matches'));
  });
});
