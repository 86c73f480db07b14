// The stack synthesized once per context (bundling and CloudFormation's WASM validation skipped), shared
// by the CDK template tests.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BacefookStack } from '../../lib/bacefook-stack';

export const STACK = 'Bacefook';

export type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }>;

export interface Synth {
  template: Template;
  resources: Resources;
  outputs: Record<string, { Value: any }>;
  parameters: Record<string, any>;
}

const cache = new Map<string, Synth>();

export function synth(context: Record<string, unknown> = {}): Synth {
  const key = JSON.stringify(context);
  let s = cache.get(key);
  if (!s) {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [], ...context },
    });
    const template = Template.fromStack(new BacefookStack(app, STACK));
    const json = template.toJSON();
    s = { template, resources: json.Resources, outputs: json.Outputs, parameters: json.Parameters ?? {} };
    cache.set(key, s);
  }
  return s;
}
