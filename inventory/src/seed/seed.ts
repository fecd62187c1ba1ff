import {
  CreateVolumeCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { SEED_MARKER_TAG, SEED_PLAN, type RegionSeed } from './plan';
import { redactUrlCredentials } from '../../../kit/redacted';

// An empty zip archive: moto stores the code without running it, which is all a count needs.
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
// An image id moto ships among its default AMIs.
const AMI = 'ami-12c6146b';
const ROLE_NAME = 'otel-kit-seed-lambda';

export interface SeedOptions {
  plan?: Record<string, RegionSeed>;
  log?: (line: string) => void;
  /** moto accepts any; the default chain (environment) is used when unset. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The bound of one call attempt (default 30 s): a moto that accepts and never answers must not hang the seed. */
  requestTimeoutMs?: number;
}

type ClientBase = {
  endpoint: string;
  maxAttempts: number;
  credentials?: SeedOptions['credentials'];
  requestHandler: {
    requestTimeout: number;
    throwOnRequestTimeout: true;
    connectionTimeout: number;
    socketTimeout: number;
  };
};

async function seedRegion(
  base: ClientBase,
  region: string,
  seed: RegionSeed,
  roleArn: string,
  log: (line: string) => void,
): Promise<void> {
  const common = { ...base, region };
  const ec2 = new EC2Client(common);
  const marked = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: `tag:${SEED_MARKER_TAG.Key}`, Values: [SEED_MARKER_TAG.Value] }] }),
  );
  if ((marked.Vpcs ?? []).length > 0) {
    log(`${region}: already seeded (a VPC carries ${SEED_MARKER_TAG.Key}=${SEED_MARKER_TAG.Value}); nothing to do`);
    return;
  }
  const azs = [`${region}a`, `${region}b`];
  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: '10.42.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [SEED_MARKER_TAG] }],
    }),
  );
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets = await Promise.all(
    azs.map((az, i) =>
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.42.${i}.0/24`, AvailabilityZone: az })),
    ),
  );
  const subnetIds = subnets.map((s) => s.Subnet!.SubnetId!);
  for (const [type, count] of Object.entries(seed.instances)) {
    await ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: type as never,
        MinCount: count,
        MaxCount: count,
        SubnetId: subnetIds[0],
      }),
    );
  }
  for (let i = 0; i < seed.volumes; i++)
    await ec2.send(new CreateVolumeCommand({ AvailabilityZone: azs[0], Size: 10, VolumeType: 'gp3' }));

  const rds = new RDSClient(common);
  let db = 0;
  for (const [engine, count] of Object.entries(seed.databases)) {
    for (let i = 0; i < count; i++) {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `otel-kit-${engine}-${++db}`,
          Engine: engine,
          DBInstanceClass: 'db.t4g.micro',
          AllocatedStorage: 20,
          MasterUsername: 'seed',
          // moto stores it and nothing connects: a fixed local placeholder, not a secret.
          MasterUserPassword: 'not-a-secret-moto-only',
        }),
      );
    }
  }

  const s3 = new S3Client({ ...common, forcePathStyle: true });
  for (let i = 1; i <= seed.buckets; i++) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: `otel-kit-${region}-${i}`,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  }

  const lambda = new LambdaClient(common);
  let fn = 0;
  for (const [runtime, count] of Object.entries(seed.functions)) {
    for (let i = 0; i < count; i++) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: `otel-kit-fn-${++fn}`,
          Runtime: runtime as never,
          Role: roleArn,
          Handler: 'index.handler',
          Code: { ZipFile: EMPTY_ZIP },
        }),
      );
    }
  }

  const elbv2 = new ElasticLoadBalancingV2Client(common);
  for (let i = 1; i <= seed.loadBalancers; i++) {
    await elbv2.send(
      new CreateLoadBalancerCommand({ Name: `otel-kit-alb-${i}`, Type: 'application', Subnets: subnetIds }),
    );
  }
  log(`${region}: seeded`);
}

/** The IAM role every Lambda function needs (moto checks that it exists). IAM is global. */
async function lambdaRole(base: ClientBase): Promise<string> {
  const iam = new IAMClient({ ...base, region: 'us-east-1' });
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role!.Arn!;
  } catch {
    const assume = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    return (await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: assume }))).Role!
      .Arn!;
  }
}

/**
 * Seeds moto with SEED_PLAN. Refuses anything but a local endpoint: this creates resources, and
 * must never run against a real account.
 */
export async function seed(endpoint: string, options: SeedOptions = {}): Promise<void> {
  const host = new URL(endpoint).hostname;
  if (/amazonaws\.com$/i.test(host))
    throw new Error(`refusing to seed ${redactUrlCredentials(endpoint)}: the seed is for moto only`);
  const timeout = options.requestTimeoutMs ?? 30_000;
  const base: ClientBase = {
    endpoint,
    maxAttempts: 3,
    // @smithy/node-http-handler 4.x only warns at requestTimeout unless told to throw.
    requestHandler: {
      requestTimeout: timeout,
      throwOnRequestTimeout: true,
      connectionTimeout: timeout,
      socketTimeout: timeout,
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const roleArn = await lambdaRole(base);
  const log = options.log ?? (() => undefined);
  for (const [region, regionSeed] of Object.entries(options.plan ?? SEED_PLAN))
    await seedRegion(base, region, regionSeed, roleArn, log);
}
