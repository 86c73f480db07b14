// cdk-nag's AwsSolutions rules over the synthesized stack, in both variants: every finding is either
// fixed or acknowledged with its reason where its resource is made (lib/constructs/nag.ts), so the
// synthesis passes; a new finding (an error or a warning) fails it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BacefookStack } from '../../lib/bacefook-stack';
import { STACK } from '../support/synth';

interface Report {
  pluginReports: {
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/** The findings left after the acknowledgements, as `rule (severity) at path` lines; [] when none. */
function findings(context: Record<string, unknown>): string[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bacefook-nag-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [], ...context },
    });
    new BacefookStack(app, STACK);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // The validation prints its report as it fails; the test reports the findings itself.
    const log = console.log;
    const error = console.error;
    console.log = () => {};
    console.error = () => {};
    let failed: unknown = null;
    try {
      app.synth();
    } catch (err) {
      failed = err;
    } finally {
      console.log = log;
      console.error = error;
    }
    const file = path.join(outdir, 'validation-report.json');
    if (failed === null) return [];
    if (!existsSync(file)) throw failed;
    const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    return report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => `${v.ruleName} (${v.severity}) at ${c.constructPath}`),
      ),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutions', () => {
  for (const [name, context] of [
    ['AWS', {}],
    ['AWS, data retained, API key required', { retainData: 'true', apiKey: 'true' }],
    ['LocalStack', { target: 'localstack' }],
    ['AWS without access tokens (auth=none)', { auth: 'none' }],
  ] as const) {
    test(`${name}: no finding left unacknowledged`, () => {
      assert.deepEqual(findings(context), []);
    });
  }
});
