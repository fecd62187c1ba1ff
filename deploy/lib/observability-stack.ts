// The whole kit on AWS in one stack: VPC, ECS cluster (Fargate, Container Insights), the items
// service with its ADOT sidecar behind a public ALB, the AWS inventory with the same sidecar (no
// load balancer), an AMP workspace, Loki on S3 (Cloud Map only) and Grafana on its own ALB listener. Env-agnostic (no account/region at synth, no lookups), so
// `cdk synth` needs neither credentials nor network.
import { Annotations, CfnOutput, CfnParameter, CfnRule, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { PORTS } from '../../kit/layout.ts';
import { collectorConfigParameter } from './collector-sidecar.ts';
import { GithubDeployRole } from './github-deploy-role.ts';
import { Grafana } from './grafana.ts';
import { Inventory } from './inventory.ts';
import { ItemsService } from './items-service.ts';
import { Loki } from './loki.ts';
import { addNagSuppressions } from './nag-suppressions.ts';
import type { DeploySettings } from './settings.ts';
import { containerInsightsLogs, ownAutoDeleteLogs } from './task-logs.ts';

export const CLOUD_MAP_NAMESPACE = 'otel-kit.local';
export const SERVICE_LISTENER_PORT = 80;
export const GRAFANA_HTTP_PORT = PORTS.grafana;
export const GRAFANA_HTTPS_PORT = 443;
export const PLAIN_HTTP_WARNING_ID = 'otel-kit:grafanaPlainHttp';

/** A listener forwarding to one container of a Fargate service over HTTP, health-checked at `healthPath`. */
function forwardTo(
  listener: elbv2.ApplicationListener,
  id: string,
  service: ecs.FargateService,
  containerName: string,
  port: number,
  healthPath: string,
): void {
  listener.addTargets(id, {
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [service.loadBalancerTarget({ containerName, containerPort: port })],
    healthCheck: { path: healthPath, interval: Duration.seconds(15), healthyThresholdCount: 2 },
    // Short: a workshop deploy should not wait five minutes for idle connections to drain.
    deregistrationDelay: Duration.seconds(10),
  });
}

export class ObservabilityStack extends Stack {
  constructor(scope: Construct, id: string, settings: DeploySettings, props: StackProps = {}) {
    super(scope, id, props);

    const allowedCidr = new CfnParameter(this, 'AllowedCidr', {
      type: 'String',
      description:
        'The only IPv4 range that may reach the service and Grafana through the load balancer, e.g. your office or workshop room (x.x.x.x/32).',
      allowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
      constraintDescription: 'an IPv4 CIDR such as 203.0.113.7/32',
    });

    new CfnRule(this, 'AllowedCidrIsNotTheInternet', {
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionEquals(allowedCidr.valueAsString, '0.0.0.0/0')),
          assertDescription:
            'AllowedCidr must not be 0.0.0.0/0: Grafana admits anonymous viewers and the service has no authentication.',
        },
      ],
    });

    const privateType = settings.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      // Env-agnostic stack: the two AZs are Fn::GetAZs picks, not a lookup.
      maxAzs: 2,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: privateType, cidrMask: 24 },
      ],
    });
    // With no NAT gateway the tasks need public IPs to pull images and reach AMP, X-Ray and (the
    // inventory) the AWS APIs; their security groups still admit only the load balancer (Loki only
    // its three clients, the inventory nobody).
    const taskSubnets: ec2.SubnetSelection = {
      subnetType: settings.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC,
    };
    const assignPublicIp = settings.natGateways === 0;
    // Loki's chunks (and the image layers ECR serves from S3) reach S3 through a gateway endpoint:
    // free, where the NAT gateway would bill every GB. All subnets' route tables, so the public
    // ones with natGateways=0 too. No endpoint policy: the layers' buckets are AWS's, not ours.
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    const insights = containerInsightsLogs(this, 'ContainerInsightsLogs');
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: insights.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    cluster.node.addDependency(insights.logGroup);
    cluster.addDefaultCloudMapNamespace({
      name: CLOUD_MAP_NAMESPACE,
      type: servicediscovery.NamespaceType.DNS_PRIVATE,
      vpc,
    });

    const workspace = new aps.CfnWorkspace(this, 'Metrics', { alias: 'otel-workshop-kit' });

    const placement = { cluster, subnets: taskSubnets, assignPublicIp };
    const loki = new Loki(this, 'Loki', placement);
    // One collector config for every sidecar.
    const telemetry = { workspace, lokiUrl: loki.url, config: collectorConfigParameter(this, 'CollectorConfig') };
    const items = new ItemsService(this, 'Items', { ...placement, telemetry });
    const inventory = new Inventory(this, 'Inventory', { ...placement, telemetry });
    const grafana = new Grafana(this, 'Grafana', { ...placement, workspace, lokiUrl: loki.url });
    for (const client of [items.service, inventory.service, grafana.service])
      loki.service.connections.allowFrom(
        client,
        ec2.Port.tcp(PORTS.loki),
        'Loki: OTLP from the collector sidecars, queries from Grafana',
      );

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
    });

    const serviceListener = alb.addListener('ServiceHttp', {
      port: SERVICE_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
    });
    forwardTo(serviceListener, 'Items', items.service, 'service', PORTS.service, '/health');

    const https = settings.certificateArn !== undefined;
    const grafanaPort = https ? GRAFANA_HTTPS_PORT : GRAFANA_HTTP_PORT;
    const grafanaListener = alb.addListener('Grafana', {
      port: grafanaPort,
      protocol: https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      ...(https
        ? {
            certificates: [elbv2.ListenerCertificate.fromArn(settings.certificateArn!)],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          }
        : {}),
      open: false,
    });
    forwardTo(grafanaListener, 'Grafana', grafana.service, 'grafana', PORTS.grafana, '/api/health');

    // Both listeners answer only the CIDR given at deploy time (also with HTTPS: anonymous viewers
    // may browse Grafana, as in compose, so it must not face the whole internet).
    const room = ec2.Peer.ipv4(allowedCidr.valueAsString);
    alb.connections.allowFrom(room, ec2.Port.tcp(SERVICE_LISTENER_PORT), 'items service from the allowed CIDR');
    alb.connections.allowFrom(room, ec2.Port.tcp(grafanaPort), 'Grafana from the allowed CIDR');

    const scheme = https ? 'https' : 'http';
    new CfnOutput(this, 'ServiceUrl', {
      description: 'BASE_URL for npm run load',
      value: `http://${alb.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'GrafanaUrl', {
      description: https
        ? "Grafana (user admin; password in the GrafanaAdminSecret). Open it at your certificate's name, a CNAME to this host"
        : 'Grafana (user admin; password in the GrafanaAdminSecret). Plain HTTP: see deploy/README.md',
      // HTTPS on its default port needs none in the URL.
      value: https ? `${scheme}://${alb.loadBalancerDnsName}` : `${scheme}://${alb.loadBalancerDnsName}:${grafanaPort}`,
    });
    if (!https)
      // Printed by `cdk synth` and `cdk deploy`, where the choice is made.
      Annotations.of(this).addWarningV2(
        PLAIN_HTTP_WARNING_ID,
        `No certificateArn: Grafana listens on plain HTTP :${GRAFANA_HTTP_PORT}, so the admin password crosses the internet unencrypted (only from AllowedCidr). Pass -c certificateArn=<ACM certificate ARN> for HTTPS (deploy/README.md).`,
      );
    new CfnOutput(this, 'GrafanaAdminSecret', {
      description: 'aws secretsmanager get-secret-value --secret-id <this>',
      value: grafana.adminPassword.secretName,
    });
    new CfnOutput(this, 'AmpWorkspaceId', { value: workspace.attrWorkspaceId });
    new CfnOutput(this, 'LokiBucket', { value: loki.bucket.bucketName });

    if (settings.githubRepo) {
      const github = new GithubDeployRole(this, 'GithubDeploy', {
        githubRepo: settings.githubRepo,
        existingProviderArn: settings.githubOidcProviderArn,
      });
      new CfnOutput(this, 'GithubDeployRoleArn', {
        description: 'AWS_DEPLOY_ROLE_ARN for .github/workflows/deploy.yml',
        value: github.role.roleArn,
      });
    }

    ownAutoDeleteLogs(this, 'LokiAutoDeleteLogs');
    addNagSuppressions(this);
  }
}
