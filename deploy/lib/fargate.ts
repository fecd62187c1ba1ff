// The shape every task of the kit shares: x86-64 Linux Fargate tasks (the images are built for
// linux/amd64), one copy each, placed where the stack decides (private subnets behind the NAT
// gateway, or public subnets with public IPs when there is none), rolled back on a failed deploy.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

export interface TaskPlacement {
  cluster: ecs.ICluster;
  subnets: ec2.SubnetSelection;
  assignPublicIp: boolean;
}

export function fargateTask(
  scope: Construct,
  size: { cpu: number; memoryLimitMiB: number },
): ecs.FargateTaskDefinition {
  return new ecs.FargateTaskDefinition(scope, 'Task', {
    ...size,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
}

export function fargateService(
  scope: Construct,
  placement: TaskPlacement,
  taskDefinition: ecs.FargateTaskDefinition,
  options: Pick<
    ecs.FargateServiceProps,
    'minHealthyPercent' | 'maxHealthyPercent' | 'cloudMapOptions' | 'healthCheckGracePeriod'
  >,
): ecs.FargateService {
  return new ecs.FargateService(scope, 'Service', {
    cluster: placement.cluster,
    taskDefinition,
    desiredCount: 1,
    vpcSubnets: placement.subnets,
    assignPublicIp: placement.assignPublicIp,
    circuitBreaker: { rollback: true },
    ...options,
  });
}
