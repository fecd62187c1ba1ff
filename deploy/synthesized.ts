// Test support: the app synthesized the way `cdk synth` does it, into a temporary directory, with
// no AWS account, region or network (the stack is env-agnostic and makes no lookups).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './lib/app.ts';
import { STACK_NAME } from './lib/settings.ts';

export const TEST_GITHUB_REPO = 'example-org/otel-workshop-kit';

/** Every shape the app can take, as context: default (with the GitHub role), no NAT gateway, HTTPS, an imported OIDC provider. */
export const VARIANTS: Record<string, Record<string, unknown>> = {
  default: { githubRepo: TEST_GITHUB_REPO },
  'no NAT gateway': { natGateways: 0 },
  'HTTPS Grafana': { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234' },
  'imported OIDC provider': {
    githubRepo: TEST_GITHUB_REPO,
    githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  },
};

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations: {
      ruleName: string;
      reason: string;
      acknowledgedId: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

export interface Synthesized {
  /** The app, for what the template does not hold (warnings the CLI prints). */
  app: App;
  outdir: string;
  template: Template;
  json: {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Parameters?: Record<string, unknown>;
    Rules?: Record<string, unknown>;
  };
  report: ValidationReport;
  templateFiles: string[];
}

export function synthesize(context: Record<string, unknown> = { githubRepo: TEST_GITHUB_REPO }): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-synth-'));
  const { app } = buildApp({ context, outdir });
  const assembly = app.synth();
  const json = assembly.getStackByName(STACK_NAME).template as Synthesized['json'];
  return {
    app,
    outdir,
    json,
    template: Template.fromJSON(json),
    report: JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport,
    templateFiles: readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => path.join(outdir, f)),
  };
}
