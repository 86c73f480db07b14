// memory.longRunSlopeMbPerMin: the stack left running with its generator at its user cap, as `npm
// start` runs it, for three minutes; the slope of the process's RSS (least squares, MB/min) over the
// samples after the first two. The three-minute version of `npm run soak -- --long`
// (scripts/long-run.ts), which runs half an hour and more.
import { longRunSummary, runLongRun } from '../scripts/long-run';
import { BENCH_EMULATOR_PORTS, type Section } from './report';

/** Users of the generator's first batch, and its cap: at the cap from the first batch on. */
const USERS = 2_000;
const SECONDS = 180;
const WARMUP_SECONDS = 120;

export async function benchLongRun(log: (line: string) => void): Promise<Section> {
  const r = await runLongRun({
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    sampleSeconds: 5,
    users: USERS,
    maxUsers: USERS,
    seed: 7,
    runtime: { ...BENCH_EMULATOR_PORTS },
  });
  for (const line of longRunSummary(r).split('\n')) log(line);
  const slope = r.rss.slopeMbPerMin.afterWarmup ?? Number.NaN;
  const startMb = r.samples.find((s) => s.t >= WARMUP_SECONDS)?.rssMb ?? r.rss.startMb;
  return {
    longRunSlopeMbPerMin: {
      value: slope,
      unit: 'MB/min',
      target: '< 1',
      how: `the process's RSS sampled every 5 s while the embedded default ran ${SECONDS / 60} min as npm start runs it (processor on its own thread, snapshot job every second, a reader asking ${Object.keys(r.p95Ms).length} routes in turn) with its generator at its user cap from the first batch (${USERS.toLocaleString('en-US')} users, a batch every 5 s: ${r.events.toLocaleString('en-US')} events decided); least-squares slope over the samples after the first ${WARMUP_SECONDS / 60} min (${startMb.toFixed(0)} -> ${r.rss.endMb.toFixed(0)} MB); npm run soak -- --long runs the same for 30 min`,
    },
  };
}
