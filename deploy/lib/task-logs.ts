// Every container logs to a log group of ours with a retention and a removal policy, so logs do
// not pile up forever and `cdk destroy` removes them (AWS would otherwise create groups that
// never expire and outlive the stack).
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const LOG_RETENTION = logs.RetentionDays.ONE_WEEK;

export function containerLogs(scope: Construct, id: string, streamPrefix: string): ecs.LogDriver {
  const logGroup = new logs.LogGroup(scope, id, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  return ecs.LogDrivers.awsLogs({ logGroup, streamPrefix });
}
