// The deploy scripts as far as a machine without Docker or AWS allows: the cdklocal command lines of
// `npm run deploy:local` (bootstrap, deploy, destroy) and their environment, the dry run of the real
// CLI, the cdklocal wrapper resolving the project's CDK CLI, and a synth of the LocalStack variant
// through bin/app.ts (bundling and the WASM validator skipped, as in app.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ENDPOINT,
  deployLocalPlan,
  LOCAL_OUTDIR,
  localstackEnv,
  OUTPUTS_FILE,
  parseDeployLocalArgs,
  readOutputs,
} from '../../scripts/deploy-local';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = parseDeployLocalArgs([]);

/** Value following `flag` at each of its occurrences. */
const after = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('npm run deploy:local', () => {
  test('bootstraps LocalStack, then deploys the LocalStack variant with its outputs to a file', () => {
    const [bootstrap, deploy, ...rest] = deployLocalPlan(base);
    assert.equal(rest.length, 0);
    for (const s of [bootstrap, deploy]) {
      assert.equal(s.command, path.join(root, 'node_modules', '.bin', 'cdklocal'));
      assert.deepEqual(after(s.args, '-c'), ['target=localstack', 'stackName=Bacefook']);
      assert.deepEqual(after(s.args, '--output'), [LOCAL_OUTDIR]);
    }
    assert.deepEqual(bootstrap.args.slice(0, 2), ['bootstrap', 'aws://000000000000/us-east-1']);
    assert.deepEqual(deploy.args.slice(0, 2), ['deploy', 'Bacefook']);
    assert.deepEqual(after(deploy.args, '--require-approval'), ['never']);
    assert.deepEqual(after(deploy.args, '--outputs-file'), [OUTPUTS_FILE]);
  });

  test('cdklocal gets LocalStack endpoints and the region through its allowlist, nothing of the shell profile', () => {
    const [step] = deployLocalPlan(base);
    assert.deepEqual(step.env, {
      AWS_ENDPOINT_URL: DEFAULT_ENDPOINT,
      AWS_ENDPOINT_URL_S3: 'http://s3.localhost.localstack.cloud:4566',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENVAR_ALLOWLIST: 'AWS_REGION,AWS_DEFAULT_REGION',
    });
    // A bare IP has no s3.<host> subdomain: path-style, and the switch survives cdklocal's env filter.
    const ip = localstackEnv('http://127.0.0.1:4566', 'eu-west-1');
    assert.equal(ip.AWS_ENDPOINT_URL_S3, 'http://127.0.0.1:4566');
    assert.equal(ip.AWS_S3_FORCE_PATH_STYLE, '1');
    assert.ok(ip.AWS_ENVAR_ALLOWLIST.split(',').includes('AWS_S3_FORCE_PATH_STYLE'));
  });

  test('options: stack, region, context, --no-bootstrap, --destroy; bad values are usage errors', () => {
    const o = parseDeployLocalArgs([
      '--stack',
      'Dev',
      '--region',
      'eu-west-1',
      '-c',
      'apiKey=true',
      '--no-bootstrap',
    ]);
    const steps = deployLocalPlan(o);
    assert.deepEqual(
      steps.map((s) => s.args[0]),
      ['deploy'],
    );
    assert.deepEqual(after(steps[0].args, '-c'), ['target=localstack', 'stackName=Dev', 'apiKey=true']);
    assert.equal(steps[0].env.AWS_REGION, 'eu-west-1');
    const destroy = deployLocalPlan(parseDeployLocalArgs(['--destroy']));
    assert.deepEqual(destroy[0].args.slice(0, 3), ['destroy', 'Bacefook', '--force']);
    assert.throws(() => parseDeployLocalArgs(['-c', 'target=aws']), /always deploys target=localstack/);
    assert.throws(() => parseDeployLocalArgs(['-c', 'novalue']), /key=value/);
    assert.throws(() => parseDeployLocalArgs(['--endpoint', 'not a url']), /--endpoint/);
    assert.throws(() => parseDeployLocalArgs(['--stack', '1bad']), /--stack/);
  });

  test('--dry-run (the CLI) prints the command lines and runs nothing', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy-local.ts', '--dry-run'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /AWS_ENDPOINT_URL=http:\/\/localhost\.localstack\.cloud:4566 .*npx cdklocal bootstrap /,
    );
    assert.match(lines[1], /npx cdklocal deploy Bacefook --require-approval never .*-c target=localstack/);
  });

  test('the cdklocal wrapper finds the project CDK CLI (aws-cdk@2)', () => {
    const run = spawnSync(path.join(root, 'node_modules', '.bin', 'cdklocal'), ['--version'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /cdk cli version v2\./);
  });

  test('the stack outputs are read back from the outputs file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bacefook-outputs-'));
    try {
      const file = path.join(dir, 'outputs.json');
      writeFileSync(file, JSON.stringify({ Bacefook: { ApiUrl: 'http://x/prod/' } }));
      assert.deepEqual(readOutputs(file, 'Bacefook'), { ApiUrl: 'http://x/prod/' });
      assert.deepEqual(readOutputs(file, 'Other'), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('bin/app.ts synthesizes the LocalStack variant with the context deploy:local passes', () => {
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  const outdir = mkdtempSync(path.join(tmpdir(), 'bacefook-synth-ls-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin/app.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_DEFAULT_ACCOUNT: '000000000000',
        CDK_DEFAULT_REGION: 'us-east-1',
        CDK_CONTEXT_JSON: JSON.stringify({
          ...cdkJson.context,
          target: 'localstack',
          stackName: 'Bacefook',
          'aws:cdk:bundling-stacks': [],
        }),
        CDK_VALIDATION: 'false',
      },
    });
    assert.equal(run.status, 0, run.stderr);
    const template = JSON.parse(readFileSync(path.join(outdir, 'Bacefook.template.json'), 'utf8'));
    const resources = Object.values<{ Type: string; Properties: any }>(template.Resources);
    const esm = resources.find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    assert.equal(esm?.Properties.BisectBatchOnFunctionError, false);
    assert.ok(resources.some((r) => r.Type === 'AWS::CloudWatch::Dashboard'));
    assert.ok(JSON.stringify(template.Outputs.ApiUrl).includes('localhost.localstack.cloud:4566'));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
