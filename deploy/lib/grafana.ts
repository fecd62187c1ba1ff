// Grafana on Fargate with the compose dashboards and the AWS variant of its datasources baked into
// an image FROM the pinned Grafana (deploy/lib/grafana-image.ts). The admin password is generated
// in Secrets Manager; the task role may query this AMP workspace and read X-Ray, nothing else.
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PORTS } from '../../kit/layout.ts';
import { GRAFANA_DATASOURCE_ENV, grafanaPluginsBuildArg } from './grafana-datasources.ts';
import { grafanaImageContext } from './grafana-image.ts';
import { PINNED_IMAGES, composeGrafanaEnvironment } from './pinned-images.ts';
import { type TaskPlacement, fargateService, fargateTask } from './fargate.ts';
import { containerLogs } from './task-logs.ts';

/** What the AMP datasource calls (the plugin's documented minimum). */
export const AMP_QUERY_ACTIONS = ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'];
/**
 * What the X-Ray datasource calls: its current documented minimum policy (x-ray-datasource
 * docs/sources/configure.md, "IAM policy", as of v2.17.1), none of which supports resource-level
 * scoping. Application Signals feeds its service and SLO queries; the OAM listings fill its
 * cross-account drop-down (without them cross-account views fail silently, per those docs).
 */
export const XRAY_READ_ACTIONS = [
  'xray:BatchGetTraces',
  'xray:GetTraceSummaries',
  'xray:GetTraceGraph',
  'xray:GetGroups',
  'xray:GetTimeSeriesServiceStatistics',
  'xray:GetInsightSummaries',
  'xray:GetInsight',
  'xray:GetServiceGraph',
  'application-signals:ListServices',
  'application-signals:ListServiceOperations',
  'application-signals:ListServiceDependencies',
  'application-signals:ListServiceLevelObjectives',
  'ec2:DescribeRegions',
  'oam:ListSinks',
  'oam:ListAttachedLinks',
];

export interface GrafanaProps extends TaskPlacement {
  workspace: aps.CfnWorkspace;
  lokiUrl: string;
}

export class Grafana extends Construct {
  readonly service: ecs.FargateService;
  readonly adminPassword: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    this.adminPassword = new secretsmanager.Secret(this, 'AdminPassword', {
      description: 'Grafana admin password (user admin) of the otel workshop kit',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const taskDefinition = fargateTask(this, { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: AMP_QUERY_ACTIONS, resources: [props.workspace.attrArn] }),
    );
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: XRAY_READ_ACTIONS, resources: ['*'] }),
    );

    const image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: grafanaImageContext(),
      // The plugins at exact versions, installed at build: a grafana.com outage or a new plugin
      // release then cannot fail a task start (and with it the deploy, through the circuit breaker).
      buildArgs: { GRAFANA_IMAGE: PINNED_IMAGES.grafana, GRAFANA_PLUGINS: grafanaPluginsBuildArg() },
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    taskDefinition.addContainer('grafana', {
      image: ecs.ContainerImage.fromDockerImageAsset(image),
      essential: true,
      user: '472:0',
      environment: {
        ...composeGrafanaEnvironment(),
        [GRAFANA_DATASOURCE_ENV.region]: Aws.REGION,
        [GRAFANA_DATASOURCE_ENV.ampQueryUrl]: props.workspace.attrPrometheusEndpoint,
        [GRAFANA_DATASOURCE_ENV.lokiUrl]: props.lokiUrl,
      },
      secrets: { GF_SECURITY_ADMIN_PASSWORD: ecs.Secret.fromSecretsManager(this.adminPassword) },
      portMappings: [{ containerPort: PORTS.grafana }],
      logging: containerLogs(this, 'Logs', 'grafana'),
    });

    this.service = fargateService(this, props, taskDefinition, {
      // Its database lives in the task (everything it shows is provisioned): a replacement may
      // start before the old task stops.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // The first start migrates Grafana's database (a minute or more on 0.25 vCPU); give it time
      // before the ALB health check counts.
      healthCheckGracePeriod: Duration.minutes(3),
    });
  }
}
