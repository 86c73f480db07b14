// Synth check of the app entry as the CDK CLI runs it: bin/app.ts in its own process, with the
// context of cdk.json, writing a cloud assembly. Bundling and the WASM template validation are
// skipped (stack.test.ts explains why); `npx cdk synth -q` does both for real.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('bin/app.ts synthesizes the Bacefook stack with the context of cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  const outdir = mkdtempSync(path.join(tmpdir(), 'bacefook-synth-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin/app.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }),
        CDK_VALIDATION: 'false',
      },
    });
    assert.equal(run.status, 0, run.stderr);
    const template = JSON.parse(readFileSync(path.join(outdir, 'Bacefook.template.json'), 'utf8'));
    const types = Object.values<{ Type: string }>(template.Resources).map((r) => r.Type);
    assert.ok(types.includes('AWS::Lambda::EventSourceMapping'));
    assert.ok(types.includes('AWS::ApiGateway::RestApi'));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
