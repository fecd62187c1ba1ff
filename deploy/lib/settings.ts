// The deployment's choices, read from CDK context (cdk.json, or `-c key=value`). Synth-time
// choices only: anything that can wait until deploy is a CloudFormation parameter instead (the
// allowed CIDR), so one synthesized template serves every workshop room.
export const PROJECT_TAG = { key: 'project', value: 'otel-workshop-kit' } as const;
export const STACK_NAME = 'OtelWorkshopKit';

export interface DeploySettings {
  /** `owner/repo` whose main branch may deploy through GitHub OIDC; no role without it. */
  githubRepo?: string;
  /** ACM certificate for HTTPS on Grafana's listener; plain HTTP (CIDR-restricted) without it. */
  certificateArn?: string;
  /** NAT gateways: 1 by default; 0 puts the tasks in public subnets with public IPs (cheaper, same ingress rules). */
  natGateways: number;
}

type ContextReader = (key: string) => unknown;

function optionalString(read: ContextReader, key: string, pattern: RegExp): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value))
    throw new Error(`context ${key}: ${JSON.stringify(value)} does not match ${pattern}`);
  return value;
}

export function readSettings(read: ContextReader): DeploySettings {
  const nat = read('natGateways') ?? 1;
  const natGateways = typeof nat === 'string' ? Number(nat) : nat;
  if (natGateways !== 0 && natGateways !== 1)
    throw new Error(`context natGateways: ${JSON.stringify(nat)} must be 0 or 1`);
  return {
    githubRepo: optionalString(read, 'githubRepo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
    certificateArn: optionalString(read, 'certificateArn', /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/),
    natGateways,
  };
}
