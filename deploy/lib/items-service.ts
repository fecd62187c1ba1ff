// The items service from service/Dockerfile with the ADOT collector as a sidecar in the same
// Fargate task: the service sends OTLP to localhost:4318 (service/otel.env's default, unchanged),
// the sidecar forwards metrics to AMP, traces to X-Ray and logs to Loki. The collector's config is
// collector/ecs.yaml, passed through an SSM parameter as the AOT_CONFIG_CONTENT secret.
import { Aws, Duration, IgnoreMode } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { PORTS, REPO_ROOT } from '../../native/layout.ts';
import { PINNED_IMAGES } from './pinned-images.ts';
import { type TaskPlacement, fargateService, fargateTask } from './fargate.ts';
import { containerLogs } from './task-logs.ts';

export const COLLECTOR_CONFIG_FILE = 'collector/ecs.yaml';
/** SSM standard parameters hold 4 KB; the advanced tier would bill monthly. */
export const SSM_STANDARD_LIMIT = 4096;

/** collector/ecs.yaml without its comments: the same config, small enough for a standard parameter. */
export function collectorConfigContent(repo: string = REPO_ROOT): string {
  const compact = stringify(parse(readFileSync(path.join(repo, COLLECTOR_CONFIG_FILE), 'utf8')), { lineWidth: 0 });
  if (compact.length > SSM_STANDARD_LIMIT)
    throw new Error(`${COLLECTOR_CONFIG_FILE} is ${compact.length} characters without comments; SSM standard parameters hold ${SSM_STANDARD_LIMIT}`);
  return compact;
}

export const SERVICE_DOCKERFILE = 'service/Dockerfile';

/**
 * The patterns of service/Dockerfile.dockerignore (BuildKit's per-Dockerfile ignore file, which
 * CDK does not read itself), so only what the image build copies is staged; plus the Dockerfile,
 * which its allow-list leaves out and CDK re-includes only at the context's top level.
 */
export function serviceImageExcludes(repo: string = REPO_ROOT): string[] {
  const patterns = readFileSync(path.join(repo, `${SERVICE_DOCKERFILE}.dockerignore`), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return [...patterns, `!${SERVICE_DOCKERFILE}`];
}

/** The X-Ray calls the exporter makes (PutTraceSegments) and the SDKs' sampling lookups; X-Ray has no resource-level scoping for them. */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

export interface ItemsServiceProps extends TaskPlacement {
  workspace: aps.CfnWorkspace;
  lokiUrl: string;
}

export class ItemsService extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: ItemsServiceProps) {
    super(scope, id);
    const taskDefinition = fargateTask(this, { cpu: 512, memoryLimitMiB: 1024 });
    const role = taskDefinition.taskRole;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [props.workspace.attrArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: XRAY_WRITE_ACTIONS, resources: ['*'] }));

    const config = new ssm.StringParameter(this, 'CollectorConfig', {
      description: `ADOT collector config for the items service sidecar (${COLLECTOR_CONFIG_FILE})`,
      stringValue: collectorConfigContent(),
      tier: ssm.ParameterTier.STANDARD,
    });
    const collector = taskDefinition.addContainer('collector', {
      image: ecs.ContainerImage.fromRegistry(PINNED_IMAGES.collector),
      essential: true,
      // The image's own unprivileged user "aoc", as in compose.
      user: '4317:4317',
      secrets: { AOT_CONFIG_CONTENT: ecs.Secret.fromSsmParameter(config) },
      environment: {
        OTLP_LISTEN_HOST: '127.0.0.1',
        AWS_REGION: Aws.REGION,
        AMP_REMOTE_WRITE_ENDPOINT: `${props.workspace.attrPrometheusEndpoint}api/v1/remote_write`,
        LOKI_OTLP_ENDPOINT: `${props.lokiUrl}/otlp`,
      },
      memoryLimitMiB: 384,
      logging: containerLogs(this, 'CollectorLogs', 'collector'),
      healthCheck: {
        // No shell in the image; ADOT ships this probe of the health_check extension.
        command: ['CMD', '/healthcheck'],
        interval: Duration.seconds(5),
        timeout: Duration.seconds(3),
        retries: 12,
        startPeriod: Duration.seconds(10),
      },
    });

    const image = new ecrAssets.DockerImageAsset(this, 'Image', {
      // The Dockerfile expects the repository root as its context (package.json and the lock).
      directory: REPO_ROOT,
      file: SERVICE_DOCKERFILE,
      exclude: serviceImageExcludes(),
      // Docker's own matching (negations included), as BuildKit applies the file.
      ignoreMode: IgnoreMode.DOCKER,
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    const app = taskDefinition.addContainer('service', {
      image: ecs.ContainerImage.fromDockerImageAsset(image),
      essential: true,
      environment: { HOST: '0.0.0.0', PORT: String(PORTS.service) },
      memoryLimitMiB: 640,
      portMappings: [{ containerPort: PORTS.service }],
      logging: containerLogs(this, 'ServiceLogs', 'service'),
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${PORTS.service}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(3),
        retries: 6,
        startPeriod: Duration.seconds(20),
      },
    });
    // Start after the collector answers, so the first requests' telemetry is not refused.
    app.addContainerDependencies({ container: collector, condition: ecs.ContainerDependencyCondition.HEALTHY });

    this.service = fargateService(this, props, taskDefinition, { minHealthyPercent: 100, maxHealthyPercent: 200 });
  }
}
