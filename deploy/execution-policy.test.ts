// deploy/bootstrap/execution-policy.json, the policy CloudFormation deploys this stack with when
// the account is bootstrapped with `cdk bootstrap --cloudformation-execution-policies` (instead of
// the bootstrap's default, AdministratorAccess). Checked offline against every shape of the
// synthesized template: each resource type the app makes maps to the calls CloudFormation makes
// for it, and the policy must allow each on a resource named the way CloudFormation names the
// stack's resources. A new resource type without a row here fails the test, so the policy cannot
// silently fall behind the app. What this cannot prove: that the list of calls per type is
// complete (only a real deploy shows that; deploy/README.md says what to do on AccessDenied).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { readText } from '../tests/stack-files.ts';
import { STACK_NAME } from './lib/settings.ts';
import { VARIANTS, synthesize } from './synthesized.ts';

export const EXECUTION_POLICY_FILE = 'deploy/bootstrap/execution-policy.json';

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}
const list = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const glob = (pattern: string, caseInsensitive: boolean) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, caseInsensitive ? 'i' : '');

/** Allowed by some Allow statement (conditions aside: the ones the policy has are checked below). */
function allows(policy: Policy, action: string, resource: string): boolean {
  return policy.Statement.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => glob(a, true).test(action)) &&
      list(s.Resource).some((r) => glob(r, false).test(resource)),
  );
}

// Physical names as CloudFormation generates them for this stack: <stack>-<logical id>-<suffix>
// (lower case for buckets); the names the app sets itself come from the app.
const ACCOUNT = '123456789012';
const stackLower = STACK_NAME.toLowerCase();
const ANY = '*';
const role = `arn:aws:iam::${ACCOUNT}:role/${STACK_NAME}-GrafanaTaskTaskRoleE13510A2-AbCdEf123`;
const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${STACK_NAME}-CustomS3AutoDeleteObjectsCustomRe-AbCdEf`;
const bucket = `arn:aws:s3:::${stackLower}-lokichunksf561c98b-abcdef123`;
const logGroup = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${STACK_NAME}-LokiLogsC6F41AF3-AbCdEf`;
const insightsGroup = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/ecs/containerinsights/${STACK_NAME}/performance`;
const parameter = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/${STACK_NAME}/collector-config`;
const oidc = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const lambdaCode = `arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-us-east-1/6dba3da2.zip`;

/** Per resource type, the calls CloudFormation makes to create, update and delete it, and on what. */
const CALLS: Record<string, [action: string, resource: string][]> = {
  'AWS::EC2::VPC': [
    ['ec2:CreateVpc', ANY],
    ['ec2:DeleteVpc', ANY],
    ['ec2:ModifyVpcAttribute', ANY],
    ['ec2:DescribeVpcs', ANY],
  ],
  'AWS::EC2::Subnet': [
    ['ec2:CreateSubnet', ANY],
    ['ec2:DeleteSubnet', ANY],
    ['ec2:ModifySubnetAttribute', ANY],
  ],
  'AWS::EC2::RouteTable': [
    ['ec2:CreateRouteTable', ANY],
    ['ec2:DeleteRouteTable', ANY],
  ],
  'AWS::EC2::Route': [
    ['ec2:CreateRoute', ANY],
    ['ec2:DeleteRoute', ANY],
    ['ec2:ReplaceRoute', ANY],
  ],
  'AWS::EC2::SubnetRouteTableAssociation': [
    ['ec2:AssociateRouteTable', ANY],
    ['ec2:DisassociateRouteTable', ANY],
  ],
  'AWS::EC2::InternetGateway': [
    ['ec2:CreateInternetGateway', ANY],
    ['ec2:DeleteInternetGateway', ANY],
  ],
  'AWS::EC2::VPCGatewayAttachment': [
    ['ec2:AttachInternetGateway', ANY],
    ['ec2:DetachInternetGateway', ANY],
  ],
  'AWS::EC2::EIP': [
    ['ec2:AllocateAddress', ANY],
    ['ec2:ReleaseAddress', ANY],
  ],
  'AWS::EC2::NatGateway': [
    ['ec2:CreateNatGateway', ANY],
    ['ec2:DeleteNatGateway', ANY],
  ],
  'AWS::EC2::SecurityGroup': [
    ['ec2:CreateSecurityGroup', ANY],
    ['ec2:DeleteSecurityGroup', ANY],
    ['ec2:AuthorizeSecurityGroupEgress', ANY],
    ['ec2:RevokeSecurityGroupEgress', ANY],
  ],
  'AWS::EC2::SecurityGroupIngress': [
    ['ec2:AuthorizeSecurityGroupIngress', ANY],
    ['ec2:RevokeSecurityGroupIngress', ANY],
  ],
  'AWS::EC2::SecurityGroupEgress': [
    ['ec2:AuthorizeSecurityGroupEgress', ANY],
    ['ec2:RevokeSecurityGroupEgress', ANY],
  ],
  'AWS::EC2::VPCEndpoint': [
    ['ec2:CreateVpcEndpoint', ANY],
    ['ec2:ModifyVpcEndpoint', ANY],
    ['ec2:DeleteVpcEndpoints', ANY],
  ],
  'AWS::ECS::Cluster': [
    ['ecs:CreateCluster', ANY],
    ['ecs:DeleteCluster', ANY],
    ['ecs:UpdateCluster', ANY],
    ['ecs:DescribeClusters', ANY],
  ],
  'AWS::ECS::TaskDefinition': [
    ['ecs:RegisterTaskDefinition', ANY],
    ['ecs:DeregisterTaskDefinition', ANY],
    ['iam:PassRole', role],
  ],
  'AWS::ECS::Service': [
    ['ecs:CreateService', ANY],
    ['ecs:UpdateService', ANY],
    ['ecs:DeleteService', ANY],
    ['ecs:DescribeServices', ANY],
    ['iam:CreateServiceLinkedRole', ANY],
  ],
  'AWS::ElasticLoadBalancingV2::LoadBalancer': [
    ['elasticloadbalancing:CreateLoadBalancer', ANY],
    ['elasticloadbalancing:DeleteLoadBalancer', ANY],
    ['elasticloadbalancing:ModifyLoadBalancerAttributes', ANY],
  ],
  'AWS::ElasticLoadBalancingV2::TargetGroup': [
    ['elasticloadbalancing:CreateTargetGroup', ANY],
    ['elasticloadbalancing:DeleteTargetGroup', ANY],
  ],
  'AWS::ElasticLoadBalancingV2::Listener': [
    ['elasticloadbalancing:CreateListener', ANY],
    ['elasticloadbalancing:DeleteListener', ANY],
  ],
  'AWS::ServiceDiscovery::PrivateDnsNamespace': [
    ['servicediscovery:CreatePrivateDnsNamespace', ANY],
    ['servicediscovery:DeleteNamespace', ANY],
    ['servicediscovery:GetOperation', ANY],
    ['route53:CreateHostedZone', ANY],
    ['route53:DeleteHostedZone', ANY],
  ],
  'AWS::ServiceDiscovery::Service': [
    ['servicediscovery:CreateService', ANY],
    ['servicediscovery:DeleteService', ANY],
  ],
  'AWS::APS::Workspace': [
    ['aps:CreateWorkspace', ANY],
    ['aps:DeleteWorkspace', ANY],
    ['aps:DescribeWorkspace', ANY],
    ['aps:TagResource', ANY],
  ],
  'AWS::SecretsManager::Secret': [
    ['secretsmanager:GetRandomPassword', ANY],
    ['secretsmanager:CreateSecret', ANY],
    ['secretsmanager:DeleteSecret', ANY],
  ],
  'AWS::SSM::Parameter': [
    ['ssm:PutParameter', parameter],
    ['ssm:DeleteParameter', parameter],
    ['ssm:AddTagsToResource', parameter],
  ],
  'AWS::Logs::LogGroup': [
    ['logs:CreateLogGroup', logGroup],
    ['logs:PutRetentionPolicy', logGroup],
    ['logs:DeleteLogGroup', logGroup],
    ['logs:CreateLogGroup', insightsGroup],
    ['logs:DeleteLogGroup', insightsGroup],
  ],
  'AWS::S3::Bucket': [
    ['s3:CreateBucket', bucket],
    ['s3:DeleteBucket', bucket],
    ['s3:PutBucketVersioning', bucket],
    ['s3:PutEncryptionConfiguration', bucket],
    ['s3:PutLifecycleConfiguration', bucket],
    ['s3:PutBucketPublicAccessBlock', bucket],
    ['s3:PutBucketTagging', bucket],
  ],
  'AWS::S3::BucketPolicy': [
    ['s3:PutBucketPolicy', bucket],
    ['s3:DeleteBucketPolicy', bucket],
  ],
  'AWS::Lambda::Function': [
    ['lambda:CreateFunction', fn],
    ['lambda:DeleteFunction', fn],
    ['lambda:GetFunction', fn],
    ['s3:GetObject', lambdaCode],
    ['iam:PassRole', role],
  ],
  'Custom::S3AutoDeleteObjects': [['lambda:InvokeFunction', fn]],
  'AWS::IAM::Role': [
    ['iam:CreateRole', role],
    ['iam:DeleteRole', role],
    ['iam:GetRole', role],
    ['iam:TagRole', role],
    ['iam:AttachRolePolicy', role],
    ['iam:DetachRolePolicy', role],
  ],
  'AWS::IAM::Policy': [
    ['iam:PutRolePolicy', role],
    ['iam:DeleteRolePolicy', role],
  ],
  'AWS::IAM::OIDCProvider': [
    ['iam:CreateOpenIDConnectProvider', oidc],
    ['iam:DeleteOpenIDConnectProvider', oidc],
    ['iam:TagOpenIDConnectProvider', oidc],
  ],
};

/** What the template's BootstrapVersion parameter and rule read, with the execution role. */
const ALWAYS: [string, string][] = [
  ['ssm:GetParameters', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version`],
];

/** Calls in CALLS (for the given resource types) the policy does not allow, as "action on resource". */
export function uncovered(policy: Policy, types: Iterable<string>): string[] {
  const missing: string[] = [];
  for (const type of types) {
    const calls = CALLS[type];
    if (!calls) {
      missing.push(`${type}: no row in CALLS (add the calls CloudFormation makes for it, and allow them)`);
      continue;
    }
    for (const [action, resource] of [...calls, ...ALWAYS])
      if (!allows(policy, action, resource)) missing.push(`${type}: ${action} on ${resource}`);
  }
  return missing;
}

const policy = JSON.parse(readText(EXECUTION_POLICY_FILE)) as Policy;

const typesOf = (context: Record<string, unknown>): Set<string> => {
  const synthesized = synthesize(context);
  try {
    return new Set(Object.values(synthesized.json.Resources).map((r) => r.Type));
  } finally {
    rmSync(synthesized.outdir, { recursive: true, force: true });
  }
};

describe('the CloudFormation execution policy for `cdk bootstrap`', () => {
  it.each(Object.entries(VARIANTS))(
    'allows the calls for every resource type of the template (%s)',
    (_name, context) => {
      expect(uncovered(policy, typesOf(context))).toEqual([]);
    },
    120_000,
  );

  it('misses calls when a statement is taken out, and names a resource type it has no row for (the check can fail)', () => {
    const withoutNetwork: Policy = {
      ...policy,
      Statement: policy.Statement.filter((s) => !list(s.Action).includes('ec2:CreateVpc')),
    };
    expect(uncovered(withoutNetwork, ['AWS::EC2::VPC'])).toContain(`AWS::EC2::VPC: ec2:CreateVpc on ${ANY}`);
    expect(uncovered(policy, ['AWS::RDS::DBInstance'])).toEqual([
      expect.stringMatching(/AWS::RDS::DBInstance: no row/),
    ]);
    // Roles of another stack are out of reach.
    expect(allows(policy, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/SomeoneElses-Role`)).toBe(false);
  });

  it("is not admin: no wildcard action, no Not*, IAM only on the stack's roles and GitHub's provider, with conditions where the resource cannot be scoped", () => {
    expect(policy.Version).toBe('2012-10-17');
    for (const s of policy.Statement) {
      expect(s.Effect, s.Sid).toBe('Allow');
      expect(s.NotAction ?? s.NotResource, s.Sid).toBeUndefined();
      for (const action of list(s.Action)) {
        expect(action, s.Sid).not.toBe('*');
        expect(action, s.Sid).not.toMatch(/^(iam|sts|organizations|kms|cloudformation):\*/i);
        if (action.startsWith('iam:') && list(s.Resource).includes('*'))
          expect([action, Object.keys(s.Condition ?? {})], s.Sid).toEqual([
            'iam:CreateServiceLinkedRole',
            ['StringEquals'],
          ]);
      }
    }
    const iamResources = policy.Statement.filter((s) => list(s.Action).some((a) => a.startsWith('iam:'))).flatMap((s) =>
      list(s.Resource),
    );
    for (const resource of iamResources.filter((r) => r !== '*'))
      expect(resource).toMatch(
        new RegExp(`:role/${STACK_NAME}-\\*$|:oidc-provider/token\\.actions\\.githubusercontent\\.com$`),
      );
    // PassRole only to ECS tasks and Lambda; the only attachable managed policy is Lambda's basic one.
    const condition = (action: string) => policy.Statement.find((s) => list(s.Action).includes(action))?.Condition;
    expect(condition('iam:PassRole')).toEqual({
      StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] },
    });
    expect(condition('iam:AttachRolePolicy')).toEqual({
      ArnLike: { 'iam:PolicyARN': 'arn:*:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
    });
    // Secrets Manager: may make the generated secret, never read one.
    expect(allows(policy, 'secretsmanager:GetSecretValue', ANY)).toBe(false);
  });

  it('fits in one customer managed policy (6,144 characters without whitespace)', () => {
    expect(JSON.stringify(policy).length).toBeLessThanOrEqual(6144);
  });
});

// cfn-lint knows every service's actions (its W3037): wrapped in a managed policy, the file is
// checked for misspelt or made-up actions, which IAM would accept silently and never grant.
const moto = cachedBinary('moto');
const cfnLint = moto ? path.join(path.dirname(moto), 'cfn-lint') : undefined;
describe.skipIf(!cfnLint)(`cfn-lint on the execution policy (${cfnLint ?? 'moto venv not built here'})`, () => {
  const lint = (document: Policy) => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-exec-policy-'));
    try {
      const file = path.join(scratch, 'policy.template.json');
      writeFileSync(
        file,
        JSON.stringify({
          AWSTemplateFormatVersion: '2010-09-09',
          Resources: { ExecutionPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document } } },
        }),
      );
      return run(cfnLint!, ['--format', 'parseable', '--', file], {}, 180_000);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };

  it('names only actions that exist', () => {
    const result = lint(policy);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 200_000);

  it('reports a made-up action (the check can fail)', () => {
    const [first, ...rest] = policy.Statement;
    const result = lint({
      ...policy,
      Statement: [{ ...first!, Action: [...list(first!.Action), 'ec2:CreateVpcs'] }, ...rest],
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/W3037:'createvpcs' is not one of/);
  }, 200_000);
});
