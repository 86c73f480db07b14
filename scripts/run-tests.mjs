#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with Node's own test runner.
// Node 20's `--test` does not expand globs nor pick up .ts files, so we list them here.
//
// Two lanes side by side, one per core of the machine the suite is sized for: the pipeline lane (the
// integration tests: emulators, the processor's threads) and the quick lane (the unit, CDK and
// reference-model tests, which spend most of their time loading modules such as the SDK and
// aws-cdk-lib, and the integration tests listed in QUICK_INTEGRATION). Within a lane files run one at
// a time. The browser tests, which watch the dashboard's timers, and the tests that time one thread
// against another (SERIAL below) run last, alone, once both lanes have ended. The quick lane's report
// is printed when it ends; the exit code fails if any part does. TEST_LANES=1 runs every file in one
// run, one at a time.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
// The project's process defaults (the AWS SDK's Node version notice off), inherited by every test.
import './node-defaults.mjs';

/** Files that must not share the machine (they time a follower against a writer): run last, alone. */
const SERIAL = new Set(['test/unit/log-rotation.test.ts']);
/**
 * Integration tests that run in the quick lane to even the lanes out: each drains the pipeline and then
 * compares what it stored or answers with the reference model or a fixed expectation, and none waits
 * on a clock, a TTL or a kill.
 */
const QUICK_INTEGRATION = new Set(
  [
    'analytics',
    'analytics-rollups',
    'api-examples',
    'api-fuzz',
    'batch-io',
    'exact-money',
    'history-archive',
    'journal-format',
    'marketplace-reads',
    'metrics-catalogue',
    'posts-reads',
    'series-ranges',
    'strict-input',
    'top-friends-figures',
    'user-reads',
  ].map((name) => `test/integration/${name}.test.ts`),
);

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) walk(full);
    else if (entry.endsWith('.test.ts')) files.push(full);
  }
}
for (const root of roots.length ? roots : ['test']) {
  if (statSync(root).isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const posix = (f) => f.split('\\').join('/');
const isBrowser = (f) => posix(f).startsWith('test/browser/');
const alone = (f) => isBrowser(f) || SERIAL.has(posix(f));
const inPipelineLane = (f) =>
  /^test\/integration\//.test(posix(f)) && !QUICK_INTEGRATION.has(posix(f)) && !alone(f);
const pipeline = files.filter(inPipelineLane);
const quick = files.filter((f) => !inPipelineLane(f) && !alone(f));
const last = files.filter(alone);

/** One `node --test` run of `group`: live on the terminal, or kept and printed when it ends. */
function run(group, live) {
  if (group.length === 0) return Promise.resolve({ code: 0, output: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...passThrough, ...group],
      {
        stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'],
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      },
    );
    const out = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr?.on('data', (d) => out.push(d));
    child.on('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(out) }));
  });
}

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
let codes;
if (process.env.TEST_LANES === '1') {
  codes = [(await run(files, true)).code];
} else {
  const quickLane = run(quick, false).then((r) => {
    process.stdout.write(`\n--- the quick lane: ${quick.length} files, ended after ${seconds()} s ---\n`);
    process.stdout.write(r.output);
    process.stdout.write('--- end of the quick lane ---\n\n');
    return r.code;
  });
  const pipelineCode = (await run(pipeline, true)).code;
  const quickCode = await quickLane;
  // The browser tests watch the dashboard's timers, SERIAL a follower's: they start once nothing else runs.
  const lastCode = (await run(last, true)).code;
  codes = [pipelineCode, quickCode, lastCode];
}
process.stdout.write(`all tests ran in ${seconds()} s\n`);
process.exit(codes.every((code) => code === 0) ? 0 : 1);
