// The items service from service/Dockerfile with the ADOT collector as a sidecar in the same
// Fargate task (instrumented-app.ts), behind the ALB (the stack adds the target). Its task role
// holds only what the sidecar exports with: the service itself calls no AWS API.
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { PORTS } from '../../kit/layout.ts';
import type { CollectorSidecarProps } from './collector-sidecar.ts';
import type { TaskPlacement } from './fargate.ts';
import { instrumentedApp } from './instrumented-app.ts';

export const SERVICE_DOCKERFILE = 'service/Dockerfile';

export interface ItemsServiceProps extends TaskPlacement {
  telemetry: CollectorSidecarProps;
}

export class ItemsService extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: ItemsServiceProps) {
    super(scope, id);
    this.service = instrumentedApp(this, props, {
      size: { cpu: 512, memoryLimitMiB: 1024 },
      telemetry: props.telemetry,
      app: { name: 'service', dockerfile: SERVICE_DOCKERFILE, port: PORTS.service, memoryLimitMiB: 640, mapPort: true },
      service: { minHealthyPercent: 100, maxHealthyPercent: 200 },
    }).service;
  }
}
