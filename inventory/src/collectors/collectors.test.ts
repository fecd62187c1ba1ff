import { DescribeInstancesCommand, DescribeVolumesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { REPO_ROOT } from '../../../kit/layout';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFactory } from '../aws-clients';
import { ebsVolumes } from './ebs-volumes';
import { ec2Instances } from './ec2-instances';
import { elbv2LoadBalancers } from './elbv2-load-balancers';
import { lambdaFunctions } from './lambda-functions';
import { rdsInstances } from './rds-instances';
import { COLLECTORS } from './registry';
import { regionFromLocation, s3Buckets } from './s3-buckets';
import { allPages, type AwsCall, type InventoryCollector } from './types';
import { vpcs } from './vpcs';

// Responses shaped as the SDK returns them (recorded from moto 5.2.5 and trimmed to the fields read).
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => [ec2, rds, s3, lambda, elbv2].forEach((m) => m.reset()));

const clients = clientFactory({
  endpoint: 'http://127.0.0.1:1',
  requestTimeoutMs: 1000,
  maxResponseBytes: 1024 * 1024,
});
const calls: string[] = [];
const call: AwsCall = (operation, send) => {
  calls.push(operation);
  return send();
};
const run = (collector: InventoryCollector, region = 'eu-west-1') =>
  collector.collect({ region, clients: clients(region), call });
const count = (resources: { state: string; type: string; region: string }[]) => {
  const out: Record<string, number> = {};
  for (const r of resources)
    out[`${r.state}|${r.type}|${r.region}`] = (out[`${r.state}|${r.type}|${r.region}`] ?? 0) + 1;
  return out;
};

describe('collectors', () => {
  it('EC2 instances: every page, by state and type, through the call wrapper', async () => {
    calls.length = 0;
    ec2
      .on(DescribeInstancesCommand, { NextToken: undefined })
      .resolves({
        NextToken: 'p2',
        Reservations: [
          {
            Instances: [
              { State: { Name: 'running' }, InstanceType: 't3.micro' },
              { State: { Name: 'running' }, InstanceType: 't3.micro' },
            ],
          },
        ],
      })
      .on(DescribeInstancesCommand, { NextToken: 'p2' })
      .resolves({
        Reservations: [
          { Instances: [{ State: { Name: 'stopped' }, InstanceType: 'm5.large' }] },
          { Instances: undefined },
        ],
      });
    expect(count(await run(ec2Instances))).toEqual({
      'running|t3.micro|eu-west-1': 2,
      'stopped|m5.large|eu-west-1': 1,
    });
    expect(calls).toEqual(['DescribeInstances', 'DescribeInstances']);
  });

  it('EBS volumes by state and type', async () => {
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { State: 'in-use', VolumeType: 'gp2' },
        { State: 'available', VolumeType: 'gp3' },
        { State: 'available', VolumeType: 'gp3' },
      ],
    });
    expect(count(await run(ebsVolumes))).toEqual({ 'in-use|gp2|eu-west-1': 1, 'available|gp3|eu-west-1': 2 });
  });

  it('RDS instances by status and engine, following Marker', async () => {
    rds
      .on(DescribeDBInstancesCommand, { Marker: undefined })
      .resolves({ Marker: 'm', DBInstances: [{ DBInstanceStatus: 'available', Engine: 'postgres' }] })
      .on(DescribeDBInstancesCommand, { Marker: 'm' })
      .resolves({ DBInstances: [{ DBInstanceStatus: 'Creating', Engine: 'MySQL' }] });
    expect(count(await run(rdsInstances))).toEqual({
      'available|postgres|eu-west-1': 1,
      'creating|mysql|eu-west-1': 1,
    });
  });

  it('S3 buckets by their own region: from the listing when named, else GetBucketLocation', async () => {
    calls.length = 0;
    s3.on(ListBucketsCommand).resolves({
      Buckets: [{ Name: 'a', BucketRegion: 'ap-south-1' }, { Name: 'b' }, { Name: 'c' }],
    });
    s3.on(GetBucketLocationCommand, { Bucket: 'b' })
      .resolves({})
      .on(GetBucketLocationCommand, { Bucket: 'c' })
      .resolves({ LocationConstraint: 'eu-west-1' });
    expect(count(await run(s3Buckets, 'us-east-1'))).toEqual({
      'active|general_purpose|ap-south-1': 1,
      'active|general_purpose|us-east-1': 1,
      'active|general_purpose|eu-west-1': 1,
    });
    expect(calls).toEqual(['ListBuckets', 'GetBucketLocation', 'GetBucketLocation']);
    expect([regionFromLocation(undefined), regionFromLocation('EU'), regionFromLocation('sa-east-1')]).toEqual([
      'us-east-1',
      'eu-west-1',
      'sa-east-1',
    ]);
  });

  it('Lambda functions by runtime; container images and a missing State are labelled, not dropped', async () => {
    lambda
      .on(ListFunctionsCommand, { Marker: undefined })
      .resolves({ NextMarker: 'n', Functions: [{ Runtime: 'nodejs22.x', State: 'Active' }, { PackageType: 'Image' }] })
      .on(ListFunctionsCommand, { Marker: 'n' })
      .resolves({ Functions: [{ Runtime: 'python3.12', State: 'Failed' }] });
    expect(count(await run(lambdaFunctions))).toEqual({
      'active|nodejs22.x|eu-west-1': 1,
      'active|image|eu-west-1': 1,
      'failed|python3.12|eu-west-1': 1,
    });
  });

  it('ELBv2 load balancers by type and state', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        { Type: 'application', State: { Code: 'active' } },
        { Type: 'network', State: { Code: 'provisioning' } },
        { Type: 'network' },
      ],
    });
    expect(count(await run(elbv2LoadBalancers))).toEqual({
      'active|application|eu-west-1': 1,
      'provisioning|network|eu-west-1': 1,
      'unknown|network|eu-west-1': 1,
    });
  });

  it('VPCs: the default VPC told apart from the ones made', async () => {
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [{ State: 'available', IsDefault: true }, { State: 'available', IsDefault: false }, { State: 'pending' }],
    });
    expect(count(await run(vpcs))).toEqual({
      'available|default|eu-west-1': 1,
      'available|custom|eu-west-1': 1,
      'pending|custom|eu-west-1': 1,
    });
  });

  it('an SDK error leaves the collector as it is (the wrapper classifies and counts it)', async () => {
    ec2.on(DescribeVolumesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(run(ebsVolumes)).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
  });

  it('the registry has unique names and kinds, and one global collector (S3)', () => {
    expect(new Set(COLLECTORS.map((c) => c.name)).size).toBe(COLLECTORS.length);
    expect(new Set(COLLECTORS.map((c) => c.kind)).size).toBe(COLLECTORS.length);
    expect(COLLECTORS.filter((c) => c.scope === 'global').map((c) => c.name)).toEqual(['s3_buckets']);
  });
});

describe('IAM: the read-only policy grants exactly what the collectors call', () => {
  const prefix: Record<string, string> = {
    ec2: 'ec2',
    rds: 'rds',
    s3: 's3',
    lambda: 'lambda',
    elbv2: 'elasticloadbalancing',
  };
  // IAM names the S3 ListBuckets permission differently from the API operation.
  const iamAction = (service: string, operation: string) =>
    `${prefix[service]}:${operation === 'ListBuckets' ? 'ListAllMyBuckets' : operation}`;

  it.each(COLLECTORS.map((c) => [c.name, c] as const))(
    '%s declares a permission for every call it makes',
    async (_name, collector) => {
      // Empty lists: a page without its list at all is a bad answer (allPages).
      ec2.onAnyCommand().resolves({ Reservations: [], Volumes: [], Vpcs: [] });
      rds.onAnyCommand().resolves({ DBInstances: [] });
      lambda.onAnyCommand().resolves({ Functions: [] });
      elbv2.onAnyCommand().resolves({ LoadBalancers: [] });
      s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'no-region-in-listing' }] });
      s3.on(GetBucketLocationCommand).resolves({});
      calls.length = 0;
      await run(collector);
      expect(calls.length).toBeGreaterThan(0);
      for (const operation of calls) expect(collector.permissions).toContain(iamAction(collector.service, operation));
    },
  );

  it('inventory/iam-policy.json allows the union of the declared permissions, read-only, and nothing else', () => {
    const policy = JSON.parse(readFileSync(path.join(REPO_ROOT, 'inventory', 'iam-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[] }[];
    };
    const allowed = policy.Statement.filter((st) => st.Effect === 'Allow').flatMap((st) => st.Action);
    expect([...allowed].sort()).toEqual([...new Set(COLLECTORS.flatMap((c) => c.permissions))].sort());
    for (const action of allowed) expect(action).toMatch(/^[a-z0-9]+:(Describe|List|Get)[A-Za-z]+$/);
  });
});

describe('allPages', () => {
  it('a page without its list is a bad answer, not an empty page (an empty 200 parses that way)', async () => {
    const missing: { Items?: number[] } = {};
    await expect(
      allPages(
        async () => missing,
        (page) => page.Items,
        () => undefined,
      ),
    ).rejects.toMatchObject({ name: 'BadResponseError' });
    await expect(
      allPages(
        async () => ({ Items: [] as number[] }),
        (page) => page.Items,
        () => undefined,
      ),
    ).resolves.toEqual([]);
  });

  it('stops at a bound when an endpoint keeps answering with a next token', async () => {
    let fetched = 0;
    const endless = allPages(
      async () => ++fetched,
      () => [1],
      () => 'again',
      5,
    );
    await expect(endless).rejects.toThrow(/more than 5 pages/);
    expect(fetched).toBe(5);
  });
});
