#!/usr/bin/env node
// Runs the tests under Node 22 (Lambda's nodejs22.x) on a machine whose own node is another version.
// The Node 22 binary comes from the npm registry: the platform package the `node` package installs
// (node-<platform>-<arch>), kept in .tmp/node22 (git-ignored) after the first run.
//
//   npm run test:node22                 unit and CDK tests
//   npm run test:node22 -- test/integration/local-runtime.test.ts   any folders or files
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MAJOR = '22';
const pkg = `node-${process.platform}-${process.arch}`;
const dir = join('.tmp', `node${MAJOR}`);
const bin = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

if (!existsSync(bin)) {
  console.log(`installing ${pkg}@${MAJOR} from the npm registry into ${dir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(
    npm,
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `${pkg}@${MAJOR}`],
    { stdio: 'inherit' },
  );
  if (install.status !== 0 || !existsSync(bin)) {
    console.error(`could not install ${pkg}@${MAJOR}: is there a Node ${MAJOR} build for this platform?`);
    process.exit(1);
  }
}
const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith(`v${MAJOR}.`)) {
  console.error(`${bin} is ${version}, not Node ${MAJOR}`);
  process.exit(1);
}
console.log(`tests under Node ${version} (${bin})`);
const args = process.argv.slice(2);
const run = spawnSync(
  bin,
  ['scripts/run-tests.mjs', ...(args.length > 0 ? args : ['test/unit', 'test/cdk'])],
  {
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
