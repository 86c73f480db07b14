// A replay of the whole stream into fresh tables (`rt.replay({ freshTables: true })`) on a data
// directory, killed with SIGKILL at seeded random moments, then started again: the restart must finish
// the replay, and the whole state (graph, counters, API answers, rejections) must equal the reference
// model built from the stream. Each run is a real child process (test/support/crash-child.ts).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../../domain/generator';
import { runChild, runToEnd } from '../support/crash';

const root = mkdtempSync(join(tmpdir(), 'bacefook-crash-replay-'));
after(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('replay into fresh tables on a data dir, killed part way', () => {
  it('a restart finishes the replay: killed at random moments (once again while restarting), the state equals the reference', async () => {
    const filled = join(root, 'filled');
    const steps = await runToEnd(['fill', filled, '7']);
    // Folding the stream the first time took about what a replay takes: the kills spread over that.
    const at = (phase: string) => steps.find((s) => s.phase === phase)?.at ?? Number.NaN;
    const took = at('filled') - at('sent');
    assert.ok(took > 0, JSON.stringify(steps));

    const random = mulberry32(Number(process.env.CRASH_SEED ?? 20_250_718));
    const runs = [0, 1, 2].map((run) => ({
      run,
      delay: Math.floor(random() * took * 1.1),
      restartDelay: run === 1 ? Math.floor(random() * took) : null,
    }));
    // The runs are independent (a copy of the data dir each): two at a time, to spend less wall time.
    const results = await Promise.all(
      runs.map(async ({ run, delay, restartDelay }) => {
        if (run === 2) await sleep(500);
        const dir = join(root, `run-${run}`);
        cpSync(filled, dir, { recursive: true });
        const child = runChild(['replay', dir]);
        await child.reached('replaying');
        await sleep(delay);
        await child.kill();
        const midReplay = !child.steps.some((s) => s.phase === 'replayed');
        if (restartDelay !== null) {
          // Killed again while restarting: while it empties the tables again, or catches up.
          const restart = runChild(['check', dir]);
          await restart.reached('started').catch(() => undefined);
          await sleep(restartDelay);
          await restart.kill();
        }
        await runToEnd(['check', dir]).catch((err: Error) => {
          throw new Error(
            `run ${run} (killed ${delay} ms into a replay of about ${took} ms): ${err.message}`,
          );
        });
        return midReplay;
      }),
    );
    // The kills that count are those inside the replay; most land there.
    const mid = results.filter(Boolean).length;
    assert.ok(mid >= 2, `only ${mid} of ${runs.length} kills landed mid-replay`);
  });
});
