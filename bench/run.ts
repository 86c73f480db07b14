// npm run bench [-- --quick [--longrun]] [--only a,b] [--out DIR]: every figure of SPEC section 7, measured in one run, written to
// bench/report.json (flat names as the SPEC gives them) and bench/report.md.
import { parseArgs } from 'node:util';
import { nextMessage, startTsWorker } from '../local/ts-worker';
import { benchApi } from './api';
import { benchBundles } from './bundles';
import { benchE2e } from './e2e';
import { benchLive } from './live';
import { benchLongRun } from './longrun';
import { benchProcessorMemory } from './processor-memory';
import { newReport, type Section, writeReport } from './report';
import { benchWire } from './wire';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    longrun: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench' },
    /** skip the API's second pass with access tokens on */
    'no-tokens': { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const only = values.only ? new Set(values.only.split(',')) : null;
const want = (s: string) => only === null || only.has(s);
const report = newReport(quick);
const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);

if (want('fold')) {
  log('fold');
  // In a worker thread of its own: an isolate whose heap holds only the fold, as a processor's does.
  const worker = startTsWorker(new URL('./fold-worker.ts', import.meta.url), { workerData: { quick } });
  report.sections.fold = await nextMessage<Section>(worker);
  await worker.terminate();
  log('fold (mixed stream)');
  const mixed = startTsWorker(new URL('./fold-worker.ts', import.meta.url), {
    workerData: { quick, mixed: true },
  });
  report.sections.fold = { ...report.sections.fold, ...(await nextMessage<Section>(mixed)) };
  await mixed.terminate();
}
if (want('wire')) {
  log('wire');
  report.sections.wire = benchWire(quick);
}
if (want('e2e')) {
  log('e2e (with writes, freshness, stack memory and the naive baseline)');
  const r = await benchE2e({ quick });
  report.sections.e2e = r.e2e;
  report.sections.writes = r.writes;
  report.sections.freshness = r.freshness;
  report.sections.memory = { ...r.memory };
}
if (want('memory')) {
  log('processor memory');
  report.sections.memory = { ...(report.sections.memory ?? {}), ...(await benchProcessorMemory(quick)) };
}
if (want('api')) {
  log(`api (building a ${quick ? '20,000' : '100,000'}-user graph first)`);
  const r = await benchApi(quick, { tokens: !values['no-tokens'] });
  report.sections.api = r.api;
  if (r.tokens) report.sections.apiTokens = r.tokens;
  report.sections.apiGraph = r.build;
}
if (want('live')) {
  log('live (200 WebSocket clients, commit -> message)');
  report.sections.live = await benchLive(quick);
}
// Ten minutes in the full bench; four in --quick, and only when asked for (--longrun, or --only longrun).
if (only === null ? !quick || values.longrun : only.has('longrun')) {
  log(`longrun (the stack with its generator at its user cap, ${quick ? 4 : 10} minutes)`);
  const memory = await benchLongRun(quick, (line) => log(`  ${line}`));
  report.sections.memory = { ...(report.sections.memory ?? {}), ...memory };
}
if (want('bundles')) {
  log('bundles');
  report.sections.lambda = await benchBundles();
}
const json = `${values.out}/report.json`;
const md = `${values.out}/report.md`;
writeReport(report, json, md);
log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${json}, ${md}`);
process.exit(0);
