// Loki on Fargate with its chunks and index in S3. No load balancer: the collector sidecars and
// Grafana reach it by its Cloud Map name, and its security group admits only them
// (allowFrom in the stack).
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import path from 'node:path';
import { PORTS, REPO_ROOT } from '../../kit/layout.ts';
import { PINNED_IMAGES } from './pinned-images.ts';
import { type TaskPlacement, fargateService, fargateTask } from './fargate.ts';
import { containerLogs } from './task-logs.ts';

export const LOKI_CLOUD_MAP_NAME = 'loki';
/** Loki keeps 7 days (as compose); the bucket expires objects a little later as a backstop. */
export const LOKI_RETENTION = '168h';
export const LOKI_BUCKET_EXPIRY = Duration.days(14);

export type LokiProps = TaskPlacement;

export class Loki extends Construct {
  readonly bucket: s3.Bucket;
  readonly service: ecs.FargateService;
  /** http://loki.<namespace>:3100, resolvable inside the VPC only. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const namespace = props.cluster.defaultCloudMapNamespace;
    if (!namespace) throw new Error('Loki needs the cluster default Cloud Map namespace');

    // Workshop logs, recreated by any load run: the bucket goes with the stack (autoDeleteObjects
    // empties it, every version included), so `cdk destroy` leaves nothing that bills.
    this.bucket = new s3.Bucket(this, 'Chunks', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: LOKI_BUCKET_EXPIRY,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const taskDefinition = fargateTask(this, { cpu: 512, memoryLimitMiB: 1024 });
    // Only this bucket, only the object calls Loki makes (list, read, write, delete by the compactor).
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );

    const image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: path.join(REPO_ROOT, 'deploy', 'images', 'loki'),
      buildArgs: { LOKI_IMAGE: PINNED_IMAGES.loki },
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    taskDefinition.addContainer('loki', {
      image: ecs.ContainerImage.fromDockerImageAsset(image),
      essential: true,
      // The image's own unprivileged user, as in compose.
      user: '10001:10001',
      environment: { LOKI_BUCKET: this.bucket.bucketName, AWS_REGION: Aws.REGION, LOKI_RETENTION },
      portMappings: [{ containerPort: PORTS.loki }],
      logging: containerLogs(this, 'Logs', 'loki'),
      healthCheck: {
        // Distroless: the binary probes its own /ready (as compose's healthcheck).
        command: ['CMD', '/usr/bin/loki', '-health', `-health.url=http://127.0.0.1:${PORTS.loki}/ready`],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 6,
        startPeriod: Duration.seconds(60),
      },
    });

    this.service = fargateService(this, props, taskDefinition, {
      // One Loki at a time: its ring is in memory, two would each think they own the index.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      cloudMapOptions: { name: LOKI_CLOUD_MAP_NAME, cloudMapNamespace: namespace, dnsTtl: Duration.seconds(10) },
    });
    this.url = `http://${LOKI_CLOUD_MAP_NAME}.${namespace.namespaceName}:${PORTS.loki}`;
  }
}
