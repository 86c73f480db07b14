#!/usr/bin/env node
// `npm run screenshots`: refreshes docs/screenshots/*.png. Runs the dashboard's browser test with
// BACEFOOK_SCREENSHOTS=1, so the pictures are the pages that test checks, as it checks them (the
// marketplace test saves the products pages).
import { spawnSync } from 'node:child_process';

const run = spawnSync(
  process.execPath,
  ['scripts/run-tests.mjs', 'test/browser/dashboard.test.ts', 'test/browser/marketplace.test.ts'],
  {
    stdio: 'inherit',
    env: { ...process.env, BACEFOOK_SCREENSHOTS: '1' },
  },
);
process.exit(run.status ?? 1);
