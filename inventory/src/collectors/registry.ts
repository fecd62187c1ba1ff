import { ebsVolumes } from './ebs-volumes';
import { ec2Instances } from './ec2-instances';
import { elbv2LoadBalancers } from './elbv2-load-balancers';
import { lambdaFunctions } from './lambda-functions';
import { rdsInstances } from './rds-instances';
import { s3Buckets } from './s3-buckets';
import type { InventoryCollector } from './types';
import { vpcs } from './vpcs';

/** Every collector the inventory knows; the config enables them by name. Add a collector here. */
export const COLLECTORS: readonly InventoryCollector[] = [
  ec2Instances,
  ebsVolumes,
  rdsInstances,
  s3Buckets,
  lambdaFunctions,
  elbv2LoadBalancers,
  vpcs,
];

export const COLLECTOR_NAMES = COLLECTORS.map((c) => c.name);
