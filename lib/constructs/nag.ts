// Findings of cdk-nag's AwsSolutions rules (run over the synthesized stack by test/cdk/nag.test.ts)
// that this stack keeps on purpose. Each is acknowledged where its resource is made, one finding at a
// time, with the reason it stays; anything else fails the test.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one AwsSolutions finding on `scope` and what it contains. `rule` is the rule's id,
 * with the finding in brackets where a rule reports several (`AwsSolutions-IAM5[Resource::...]`).
 */
export function keepFinding(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${rule}`, reason });
}
