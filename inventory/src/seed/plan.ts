import type { ResourceSeries } from '../state';

/**
 * The known set of resources the local stack seeds into moto, and what the inventory must
 * count after it. One owner: compose's seed step, the native harness and the e2e all use it.
 */
export interface RegionSeed {
  /** Running EC2 instances by instance type. */
  instances: Record<string, number>;
  /** Unattached EBS volumes (gp3). */
  volumes: number;
  /** RDS instances by engine. */
  databases: Record<string, number>;
  buckets: number;
  /** Lambda functions by runtime. */
  functions: Record<string, number>;
  /** Application load balancers (each in the seeded VPC, over two subnets). */
  loadBalancers: number;
}

export const SEED_PLAN: Record<string, RegionSeed> = {
  'us-east-1': {
    instances: { 't3.micro': 3, 't3.small': 1 },
    volumes: 2,
    databases: { postgres: 1, mysql: 1 },
    buckets: 2,
    functions: { 'nodejs22.x': 2, 'python3.12': 1 },
    loadBalancers: 1,
  },
  'eu-west-1': {
    instances: { 't3.micro': 2 },
    volumes: 1,
    databases: { postgres: 1 },
    buckets: 1,
    functions: { 'nodejs22.x': 1 },
    loadBalancers: 1,
  },
};

/** The tag that marks a region as seeded, so a second seed run changes nothing. */
export const SEED_MARKER_TAG = { Key: 'otel-kit:seed', Value: 'v1' };

/**
 * Every `aws_resources` series the inventory must report after seeding, with its count. Besides
 * what the seed creates, two things AWS (and moto, faithfully) adds: each region's default VPC,
 * and an 8 GiB root volume per instance, attached ("in-use", gp2 in moto's default).
 */
export function expectedSeries(plan: Record<string, RegionSeed> = SEED_PLAN): ResourceSeries[] {
  const series: ResourceSeries[] = [];
  const add = (kind: string, state: string, type: string, region: string, count: number) => {
    if (count > 0) series.push({ kind, state, type, region, count });
  };
  for (const [region, seed] of Object.entries(plan)) {
    const instances = Object.values(seed.instances).reduce((a, b) => a + b, 0);
    for (const [type, count] of Object.entries(seed.instances)) add('ec2_instance', 'running', type, region, count);
    add('ebs_volume', 'available', 'gp3', region, seed.volumes);
    add('ebs_volume', 'in-use', 'gp2', region, instances);
    for (const [engine, count] of Object.entries(seed.databases))
      add('rds_instance', 'available', engine, region, count);
    add('s3_bucket', 'active', 'general_purpose', region, seed.buckets);
    for (const [runtime, count] of Object.entries(seed.functions))
      add('lambda_function', 'active', runtime, region, count);
    add('load_balancer', 'active', 'application', region, seed.loadBalancers);
    add('vpc', 'available', 'custom', region, 1);
    add('vpc', 'available', 'default', region, 1);
  }
  return series;
}
