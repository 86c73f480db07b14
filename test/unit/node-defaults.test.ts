// The AWS SDK's notice that its 2027 releases need Node 22 stays out of the commands' output: every
// npm script that runs project code loads scripts/node-defaults.mjs first, and with it an SDK client
// on Node 20 says nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = '--import ./scripts/node-defaults.mjs';

/** A Kinesis call to a closed port: enough for the SDK to check the Node version. */
const CALL = `
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
const c = new KinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
await c.send(new ListStreamsCommand({})).catch(() => {});
`;

function run(preload: boolean): string {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  delete env.NODE_NO_WARNINGS;
  const args = [...(preload ? PRELOAD.split(' ') : []), '--input-type=module', '-e', CALL];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

describe('Node version notice', () => {
  test('every npm script that runs project code with node loads the defaults first', () => {
    const scripts = (
      JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const runners = Object.entries(scripts).filter(([, cmd]) => /^(node|tsx) .*\.ts\b/.test(cmd));
    assert.ok(runners.length >= 6, runners.map(([k]) => k).join());
    for (const [name, cmd] of runners) assert.ok(cmd.startsWith(`node ${PRELOAD} `), `${name}: ${cmd}`);
    // The test runner loads them itself.
    assert.match(readFileSync(`${ROOT}scripts/run-tests.mjs`, 'utf8'), /import '\.\/node-defaults\.mjs'/);
  });

  test('with the defaults an SDK call prints no notice (without them, Node 20 gets one)', () => {
    assert.doesNotMatch(run(true), /NodeVersionSupportWarning/);
    if (Number(process.versions.node.split('.')[0]) < 22) {
      assert.match(run(false), /NodeVersionSupportWarning/);
    }
  });
});
