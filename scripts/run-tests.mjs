#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with Node's own test runner.
// Node 20's `--test` does not expand globs nor pick up .ts files, so we list them here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
// The project's process defaults (the AWS SDK's Node version notice off), inherited by every test.
import './node-defaults.mjs';

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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...passThrough, ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  },
);
process.exit(result.status ?? 1);
