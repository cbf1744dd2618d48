/**
 * cdk-nag (AwsSolutions) acknowledgements. cdk-nag matches a finding's id exactly
 * (`AwsSolutions-IAM5[Resource::…]`), so each one names the finding it accepts, never a whole
 * rule: a new wildcard elsewhere still fails the nag test.
 */
import { Validations } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'

export const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'

export function acknowledge(scope: IConstruct, findings: string[], reason: string): void {
  for (const id of findings) Validations.of(scope).acknowledge({ id, reason })
}
