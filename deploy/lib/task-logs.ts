// Every log group the stack causes is the stack's own, with a retention and a removal policy, so
// logs do not pile up forever and `cdk destroy` removes them. AWS would otherwise create groups
// that never expire and outlive the stack: the containers' (awslogs), Container Insights'
// performance group, and the group of the Lambda function CDK adds to empty the Loki bucket.
import { Aws, CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const LOG_RETENTION = logs.RetentionDays.ONE_WEEK;

function ownedLogGroup(scope: Construct, id: string, logGroupName?: string): logs.LogGroup {
  return new logs.LogGroup(scope, id, { logGroupName, retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
}

export function containerLogs(scope: Construct, id: string, streamPrefix: string): ecs.LogDriver {
  return ecs.LogDrivers.awsLogs({ logGroup: ownedLogGroup(scope, id), streamPrefix });
}

/**
 * The cluster's name (the stack's) and Container Insights' performance log group under it, created
 * before the cluster: ECS would otherwise create `/aws/ecs/containerinsights/<cluster>/performance`
 * itself, without retention, and leave it behind on destroy. The name is fixed rather than taken
 * from the cluster so the group can exist first (the cluster depends on it, and on destroy goes first).
 */
export function containerInsightsLogs(scope: Construct, id: string): { clusterName: string; logGroup: logs.LogGroup } {
  const clusterName = Aws.STACK_NAME;
  return {
    clusterName,
    logGroup: ownedLogGroup(scope, id, `/aws/ecs/containerinsights/${clusterName}/performance`),
  };
}

/** Where CDK keeps the Lambda function behind `autoDeleteObjects` (one per stack). */
export const AUTO_DELETE_HANDLER_PATH = ['Custom::S3AutoDeleteObjectsCustomResourceProvider', 'Handler'];

/**
 * Sends the auto-delete function's logs to a group of ours (Lambda's LoggingConfig) instead of the
 * `/aws/lambda/<name>` group Lambda would create at its first run. The function refers to the
 * group, so on destroy the group goes after the function: its last run (emptying the bucket)
 * cannot recreate a group behind the stack's back. Throws if CDK stops making the function where
 * it did, so a CDK upgrade cannot silently bring the leftover back.
 */
export function ownAutoDeleteLogs(stack: Stack, id: string): logs.LogGroup {
  const [providerId, handlerId] = AUTO_DELETE_HANDLER_PATH as [string, string];
  const handler = stack.node.tryFindChild(providerId)?.node.tryFindChild(handlerId);
  if (!(handler instanceof CfnResource) || handler.cfnResourceType !== 'AWS::Lambda::Function')
    throw new Error(`no auto-delete Lambda function at ${AUTO_DELETE_HANDLER_PATH.join('/')}: CDK changed, revisit`);
  const logGroup = ownedLogGroup(stack, id);
  // A Ref: CloudFormation creates the group before the function and deletes it after.
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  return logGroup;
}
