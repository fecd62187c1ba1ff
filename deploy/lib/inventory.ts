// The AWS inventory (inventory/) on Fargate with the same collector sidecar as the items service,
// counting the deployed account, read-only, in the deployed region: the "AWS inventory" board then
// shows real counts (the stack's own ALB, VPC, ...). No load balancer and no inbound rule: it only
// calls out (AWS APIs, its sidecar on loopback) and nobody calls it.
import { Aws } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PORTS, REPO_ROOT } from '../../kit/layout.ts';
import type { CollectorSidecarProps } from './collector-sidecar.ts';
import type { TaskPlacement } from './fargate.ts';
import { instrumentedApp } from './instrumented-app.ts';

export const INVENTORY_DOCKERFILE = 'inventory/Dockerfile';
/** The read-only policy the inventory documents for any identity it runs as (a test keeps it equal to what the collectors call). */
export const INVENTORY_POLICY_FILE = 'inventory/iam-policy.json';

interface PolicyDocument {
  Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[];
}

/**
 * The actions of inventory/iam-policy.json. Only an Allow on "*" is taken over as it stands: a
 * Deny, a condition or a scoped resource there would need its own thought here, so it throws.
 */
export function inventoryReadActions(repo: string = REPO_ROOT): string[] {
  const policy = JSON.parse(readFileSync(path.join(repo, INVENTORY_POLICY_FILE), 'utf8')) as PolicyDocument;
  return policy.Statement.flatMap((statement) => {
    const keys = Object.keys(statement)
      .filter((key) => key !== 'Sid')
      .sort();
    if (statement.Effect !== 'Allow' || statement.Resource !== '*' || keys.join() !== 'Action,Effect,Resource')
      throw new Error(
        `${INVENTORY_POLICY_FILE}: only Allow statements on Resource "*" are supported here, got ${JSON.stringify(statement)}`,
      );
    return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  });
}

export interface InventoryProps extends TaskPlacement {
  telemetry: CollectorSidecarProps;
}

export class Inventory extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: InventoryProps) {
    super(scope, id);
    const { taskDefinition, service } = instrumentedApp(this, props, {
      // 0.25 vCPU is Fargate's smallest; with it 1 GB is the smallest size that holds the
      // inventory (384 MiB, as compose: ~200 MiB resident measured) beside the sidecar's 384.
      size: { cpu: 256, memoryLimitMiB: 1024 },
      telemetry: props.telemetry,
      app: {
        name: 'inventory',
        dockerfile: INVENTORY_DOCKERFILE,
        port: PORTS.inventory,
        memoryLimitMiB: 384,
        // The deployed region only, and no AWS_ENDPOINT_URL: the real APIs, with the task role.
        environment: { INVENTORY_REGIONS: Aws.REGION },
        mapPort: false,
      },
      // One inventory at a time: two would each report the whole account, and the board's sums
      // would count every resource twice while they overlap.
      service: { minHealthyPercent: 0, maxHealthyPercent: 100 },
    });
    // Describe/List calls have no resource-level scoping: "*" is the only resource they accept.
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: inventoryReadActions(), resources: ['*'] }),
    );
    this.service = service;
  }
}
