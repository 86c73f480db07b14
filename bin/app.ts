#!/usr/bin/env node
// The CDK app: one stack, `Bacefook` unless `-c stackName=...` says otherwise (e.g. one per developer).
import { App } from 'aws-cdk-lib';
import { BacefookStack } from '../lib/bacefook-stack';

const app = new App();
const stackName = String(app.node.tryGetContext('stackName') ?? 'Bacefook');

new BacefookStack(app, stackName, {
  // Account and region of the CLI's profile (or LocalStack's, under cdklocal); unset means env-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
