// The role GitHub Actions assumes through OIDC to run `cdk deploy` (.github/workflows/deploy.yml).
// It trusts one repository's main branch only, and may only assume the CDK bootstrap roles
// (deploy, asset publishing, lookups): CloudFormation does the deploying with the bootstrap's
// execution role, so this role needs no other permission.
import { Aws, DefaultStackSynthesizer, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The `sub` claim GitHub sends for a workflow run on a branch push. */
export function mainBranchSubject(githubRepo: string): string {
  return `repo:${githubRepo}:ref:refs/heads/main`;
}

/** The bootstrap roles `cdk deploy` assumes, by the default synthesizer's names. */
export function bootstrapRoleArns(qualifier: string = DefaultStackSynthesizer.DEFAULT_QUALIFIER): string[] {
  return ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
    (kind) =>
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${qualifier}-${kind}-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
  );
}

export class GithubDeployRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { githubRepo: string; existingProviderArn?: string }) {
    super(scope, id);
    // One provider per account and URL: an account that already runs GitHub Actions against AWS
    // has it, and creating a second fails the stack with EntityAlreadyExists. Then it is imported
    // (context githubOidcProviderArn) and stays when the stack goes; otherwise the stack owns it.
    const provider: iam.IOidcProvider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          removalPolicy: RemovalPolicy.DESTROY,
        });
    this.role = new iam.Role(this, 'Role', {
      description: `GitHub Actions deploys of ${props.githubRepo} (main branch only)`,
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: mainBranchSubject(props.githubRepo),
        },
      }),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: bootstrapRoleArns() }),
    );
  }
}
