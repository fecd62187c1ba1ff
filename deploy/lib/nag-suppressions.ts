// Every cdk-nag AwsSolutions finding this stack accepts, each on the construct it concerns and with
// its reason. Anything not acknowledged here fails `cdk synth` (cdk-nag 3 runs as a CDK policy
// validation plugin) and deploy/stack.test.ts. A path that no longer exists throws, so a stale
// acknowledgment cannot linger.
import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** cdk-nag 3 rule ids as the validation report names them. */
const rule = (id: string) => `AwsSolutions::AwsSolutions-${id}`;

const TASKS = ['Items', 'Inventory', 'Loki', 'Grafana'] as const;

const XRAY_NO_RESOURCE_SCOPE =
  'X-Ray trace and sampling calls (PutTraceSegments, PutTelemetryRecords, GetSampling*) do not support resource-level permissions: AWS documents Resource "*" for them (AWSXrayWriteOnlyAccess / AWSXrayReadOnlyAccess do the same). The other statements are scoped to the AMP workspace ARN.';

export interface Acknowledged {
  path: string;
  id: string;
  reason: string;
}

export const ACKNOWLEDGED: Acknowledged[] = [
  {
    path: 'Vpc',
    id: rule('VPC7'),
    reason:
      'Short-lived workshop VPC with no data of its own; flow logs would bill CloudWatch ingestion for every load run. Enable them (vpc.addFlowLog) before reusing this for anything long-lived.',
  },
  {
    path: 'Alb',
    id: rule('ELB2'),
    reason:
      'Workshop traffic is synthetic (k6) and every request is already traced in X-Ray and logged in Loki; ALB access logs would need a second bucket with a region-specific ELB principal in an env-agnostic stack.',
  },
  {
    path: 'Alb/SecurityGroup',
    id: rule('EC23'),
    reason:
      'Ingress is the AllowedCidr parameter only (a /32 or room range given at deploy time, validated by its pattern, and a template rule refuses 0.0.0.0/0); cdk-nag cannot resolve a parameter at synth.',
  },
  {
    path: 'Loki/Chunks',
    id: rule('S1'),
    reason:
      'The bucket is private to Loki (public access blocked, TLS only, only the Loki task role has object permissions) and holds disposable workshop logs; server access logs would need another bucket that outlives the stack.',
  },
  {
    path: 'Loki/Task/TaskRole',
    id: `${rule('IAM5')}[Resource::<LokiChunksF561C98B.Arn>/*]`,
    reason:
      'Loki names its chunk and index objects itself: object access must cover the keys of its one bucket (get, put, delete only; ListBucket on the bucket itself).',
  },
  { path: 'Items/Task/TaskRole', id: `${rule('IAM5')}[Resource::*]`, reason: XRAY_NO_RESOURCE_SCOPE },
  {
    path: 'Grafana/Task/TaskRole',
    id: `${rule('IAM5')}[Resource::*]`,
    reason:
      'The X-Ray datasource plugin documents Resource "*" for its read calls: X-Ray trace reads, the Application Signals List* calls, ec2:DescribeRegions and the OAM ListSinks/ListAttachedLinks listings have no resource-level scoping. All are reads; AMP queries are scoped to the workspace ARN.',
  },
  {
    path: 'Inventory/Task/TaskRole',
    id: `${rule('IAM5')}[Resource::*]`,
    reason:
      'The inventory counts the whole account: the read-only Describe*/List* calls of inventory/iam-policy.json (and S3 GetBucketLocation) have no resource-level scoping, so AWS documents Resource "*" for them, as for the X-Ray trace writes of its collector sidecar (the only writes on "*"); remote write is scoped to the AMP workspace ARN.',
  },
  ...TASKS.map((task) => ({
    path: `${task}/Task/ExecutionRole`,
    id: `${rule('IAM5')}[Resource::*]`,
    reason:
      'CDK grants the execution role ecr:GetAuthorizationToken, which has no resource-level scoping; image pulls, logs, SSM and secret reads are scoped to their resources.',
  })),
  ...TASKS.map((task) => ({
    path: `${task}/Task`,
    id: rule('ECS2'),
    reason:
      'The environment holds addresses, the region and non-secret settings only (tests/stack assertions check none is a credential); the collector config comes from SSM and the Grafana password from Secrets Manager as ECS secrets.',
  })),
  {
    path: 'Grafana/AdminPassword',
    id: rule('SMG4'),
    reason:
      'Read by Grafana only at its first start (GF_SECURITY_ADMIN_PASSWORD); rotating it in Secrets Manager would not change the running Grafana, and the stack lives for a workshop. Replace the task to pick up a new value.',
  },
];

function find(stack: Stack, path: string): IConstruct {
  let node: IConstruct = stack;
  for (const part of path.split('/')) {
    const child = node.node.tryFindChild(part);
    if (!child) throw new Error(`nag acknowledgment for ${path}: no construct ${part} under ${node.node.path}`);
    node = child;
  }
  return node;
}

export function addNagSuppressions(stack: Stack): void {
  for (const { path, id, reason } of ACKNOWLEDGED) Validations.of(find(stack, path)).acknowledge({ id, reason });
}
