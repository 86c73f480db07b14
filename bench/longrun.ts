// memory.longRunSlopeMbPerMin: the stack left running with its generator at its user cap, as `npm
// start` runs it, for four minutes (ten in the full bench); the slope (least squares, MB/min) of its
// RSS after the first two, sampled a second after a collection of every thread's heap. A short version of
// `npm run soak -- --long` (scripts/long-run.ts), which runs half an hour and more.
//
// It runs in a process of its own, started with the `soak:long` script's own command line (its Node
// flags are npm start's) plus --expose-gc, which only lets the long run ask for the collections: the
// RSS is then the stack's alone, not the bench's sections before it. Each thread's heap grows between
// two collections and drops back, a saw of 20-40 MB with a period of about 30 s; two minutes of raw
// samples cannot tell 1 MB/min from it, and the slope of their lows (each 20 s's lowest) measured
// anything from -14 to +26 MB/min for the same code. Sampled after collections, the RSS moves by a
// few MB from one sample to the next.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GENERATOR_USERS, defaultGeneratorMaxUsers } from '../local/runtime';
import { type LongRunReport, longRunSummary } from '../scripts/long-run';
import type { Section } from './report';

/** Users of the generator's first batch, and its cap: npm start's cap, reached from the first batch on. */
const USERS = defaultGeneratorMaxUsers(DEFAULT_GENERATOR_USERS);
const WARMUP_MINUTES = 2;
/** A sample, after its collections, every 5 s: 24 samples in the two minutes after the warm-up. */
const SAMPLE_SECONDS = 5;

/** The `soak:long` script's command line, as package.json gives it, with this Node binary. */
function soakCommand(): string[] {
  // (--expose-gc goes right after the binary, with the script's own flags)
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = pkg.scripts['soak:long'].split(/\s+/);
  if (node !== 'node') throw new Error(`package.json soak:long does not start with node: ${node}`);
  return [process.execPath, '--expose-gc', ...args];
}

/** Four minutes in --quick (two after the warm-up), ten in the full bench. */
export async function benchLongRun(quick: boolean, log: (line: string) => void): Promise<Section> {
  const minutes = quick ? 4 : 10;
  const dir = mkdtempSync(join(tmpdir(), 'bench-longrun-'));
  const out = join(dir, 'report.json');
  const [cmd, ...args] = soakCommand();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        cmd,
        [
          ...args,
          ...[
            '--minutes',
            String(minutes),
            '--warmup-minutes',
            String(WARMUP_MINUTES),
            '--sample-seconds',
            String(SAMPLE_SECONDS),
            '--collect',
          ],
          ...['--users', String(USERS), '--max-users', String(USERS), '--seed', '7', '--out', out],
        ],
        { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let rest = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') log(line);
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`the long run exited with ${code}`)),
      );
    });
    const r = JSON.parse(readFileSync(out, 'utf8')) as LongRunReport;
    // The emulators' threads and the processor's at least: without them the figure would hold their saw.
    if ((r.collectedThreads ?? 0) < 3) {
      throw new Error(
        `the long run collected ${r.collectedThreads ?? 'no'} worker threads' heaps, not every thread's`,
      );
    }
    for (const line of longRunSummary(r).split('\n')) log(line);
    const warmupSeconds = WARMUP_MINUTES * 60;
    const slope = r.rss.slopeMbPerMin.afterWarmup ?? Number.NaN;
    const startMb = r.samples.find((s) => s.t >= warmupSeconds)?.rssMb ?? r.rss.startMb;
    return {
      longRunSlopeMbPerMin: {
        value: slope,
        unit: 'MB/min',
        target: '< 1',
        how: `the RSS of a process running the embedded default as npm start runs it (its Node flags, the processor on its own thread, snapshot job every second, a reader asking ${Object.keys(r.p95Ms).length} routes in turn), sampled every ${SAMPLE_SECONDS} s for ${minutes} min with its generator at its user cap from the first batch (${USERS.toLocaleString('en-US')} users, a batch every 5 s: ${r.events.toLocaleString('en-US')} events decided), each sample a second after a full collection of every thread's heap (the main thread's and ${r.collectedThreads ?? 0} worker threads': what the process keeps, without the collectors' saw); least-squares slope of those samples after the first ${WARMUP_MINUTES} min (${startMb.toFixed(0)} -> ${r.rss.endMb.toFixed(0)} MB); NODE_OPTIONS=--expose-gc npm run soak:long -- --collect runs the same for 30 min and more`,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
