// The ADOT collector as a sidecar in the task of each app of the kit that emits telemetry (the
// items service, the AWS inventory): the app sends OTLP to localhost:4318 (its otel.env default,
// unchanged), the sidecar forwards metrics to AMP, traces to X-Ray and logs to Loki. Its config is
// collector/ecs.yaml in one SSM parameter for the whole stack, given to every sidecar as the
// AOT_CONFIG_CONTENT secret: one config, so the two producers cannot drift apart.
import { Aws, Duration } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../kit/layout.ts';
import { PINNED_IMAGES } from './pinned-images.ts';
import { STACK_NAME } from './settings.ts';
import { containerLogs } from './task-logs.ts';

export const COLLECTOR_CONFIG_FILE = 'collector/ecs.yaml';
/** SSM standard parameters hold 4 KB; the advanced tier would bill monthly. */
export const SSM_STANDARD_LIMIT = 4096;
export const COLLECTOR_CONTAINER = 'collector';

/** collector/ecs.yaml without its comments: the same config, small enough for a standard parameter. */
export function collectorConfigContent(repo: string = REPO_ROOT): string {
  const compact = stringify(parse(readFileSync(path.join(repo, COLLECTOR_CONFIG_FILE), 'utf8')), { lineWidth: 0 });
  if (compact.length > SSM_STANDARD_LIMIT)
    throw new Error(
      `${COLLECTOR_CONFIG_FILE} is ${compact.length} characters without comments; SSM standard parameters hold ${SSM_STANDARD_LIMIT}`,
    );
  return compact;
}

/** Under the stack's name, so the bootstrap execution policy can scope SSM to it (deploy/bootstrap/). */
export const COLLECTOR_CONFIG_PARAMETER = `/${STACK_NAME}/collector-config`;

/** The stack's one copy of the sidecar config. */
export function collectorConfigParameter(scope: Construct, id: string): ssm.StringParameter {
  return new ssm.StringParameter(scope, id, {
    parameterName: COLLECTOR_CONFIG_PARAMETER,
    description: `ADOT collector config for the collector sidecars (${COLLECTOR_CONFIG_FILE})`,
    stringValue: collectorConfigContent(),
    tier: ssm.ParameterTier.STANDARD,
  });
}

/** The X-Ray calls the exporter makes (PutTraceSegments) and the SDKs' sampling lookups; X-Ray has no resource-level scoping for them. */
export const XRAY_WRITE_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

/** Where a sidecar sends: the stack's AMP workspace, Loki's in-VPC URL, and the shared config. */
export interface CollectorSidecarProps {
  workspace: aps.CfnWorkspace;
  lokiUrl: string;
  config: ssm.IStringParameter;
}

/**
 * Adds the sidecar to the task and lets the task role do what it exports with (remote write to
 * this workspace only, X-Ray writes); the app container should start once it is HEALTHY.
 */
export function addCollectorSidecar(
  scope: Construct,
  taskDefinition: ecs.TaskDefinition,
  props: CollectorSidecarProps,
): ecs.ContainerDefinition {
  const role = taskDefinition.taskRole;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [props.workspace.attrArn] }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: XRAY_WRITE_ACTIONS, resources: ['*'] }));

  return taskDefinition.addContainer(COLLECTOR_CONTAINER, {
    image: ecs.ContainerImage.fromRegistry(PINNED_IMAGES.collector),
    essential: true,
    // The image's own unprivileged user "aoc", as in compose.
    user: '4317:4317',
    secrets: { AOT_CONFIG_CONTENT: ecs.Secret.fromSsmParameter(props.config) },
    environment: {
      OTLP_LISTEN_HOST: '127.0.0.1',
      AWS_REGION: Aws.REGION,
      AMP_REMOTE_WRITE_ENDPOINT: `${props.workspace.attrPrometheusEndpoint}api/v1/remote_write`,
      LOKI_OTLP_ENDPOINT: `${props.lokiUrl}/otlp`,
    },
    memoryLimitMiB: 384,
    logging: containerLogs(scope, 'CollectorLogs', COLLECTOR_CONTAINER),
    healthCheck: {
      // No shell in the image; ADOT ships this probe of the health_check extension.
      command: ['CMD', '/healthcheck'],
      interval: Duration.seconds(5),
      timeout: Duration.seconds(3),
      retries: 12,
      startPeriod: Duration.seconds(10),
    },
  });
}
