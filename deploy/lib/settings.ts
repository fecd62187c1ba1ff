// The deployment's choices, read from CDK context (cdk.json, or `-c key=value`). Synth-time
// choices only: anything that can wait until deploy is a CloudFormation parameter instead (the
// allowed CIDR), so one synthesized template serves every workshop room.
export const PROJECT_TAG = { key: 'project', value: 'otel-workshop-kit' } as const;
export const STACK_NAME = 'OtelWorkshopKit';

export interface DeploySettings {
  /** `owner/repo` whose main branch may deploy through GitHub OIDC; no role without it. */
  githubRepo?: string;
  /**
   * The account's existing GitHub OIDC provider, imported instead of created (an account holds one
   * provider per URL: creating a second fails with EntityAlreadyExists). Only with githubRepo.
   */
  githubOidcProviderArn?: string;
  /** ACM certificate for HTTPS on Grafana's listener; plain HTTP (CIDR-restricted) without it. */
  certificateArn?: string;
  /** NAT gateways: 1 by default; 0 puts the tasks in public subnets with public IPs (cheaper, same ingress rules). */
  natGateways: number;
}

/**
 * Every context key the app reads: a deploy that leaves one out gets its default, so the deploy
 * workflow must pass each one on every push (deploy/workflow.test.ts checks it does).
 */
export const CONTEXT_KEYS = ['githubRepo', 'githubOidcProviderArn', 'certificateArn', 'natGateways'] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

type ContextReader = (key: ContextKey) => unknown;

function optionalString(read: ContextReader, key: ContextKey, pattern: RegExp): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value))
    throw new Error(`context ${key}: ${JSON.stringify(value)} does not match ${pattern}`);
  return value;
}

/** The only URL GitHub's OIDC provider can have, so the only provider ARN the import accepts. */
export const GITHUB_OIDC_PROVIDER_ARN =
  /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

export function readSettings(read: ContextReader): DeploySettings {
  const nat = read('natGateways') ?? 1;
  // '0' and '1' as `-c natGateways=…` passes them; an empty string (an unset workflow variable)
  // is refused rather than read as Number('') === 0.
  const natGateways = nat === '0' ? 0 : nat === '1' ? 1 : nat;
  if (natGateways !== 0 && natGateways !== 1)
    throw new Error(`context natGateways: ${JSON.stringify(nat)} must be 0 or 1`);
  const githubRepo = optionalString(read, 'githubRepo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  const githubOidcProviderArn = optionalString(read, 'githubOidcProviderArn', GITHUB_OIDC_PROVIDER_ARN);
  if (githubOidcProviderArn && !githubRepo)
    throw new Error('context githubOidcProviderArn: only meaningful with githubRepo (the deploy role trusts it)');
  return {
    githubRepo,
    githubOidcProviderArn,
    certificateArn: optionalString(read, 'certificateArn', /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/),
    natGateways,
  };
}
