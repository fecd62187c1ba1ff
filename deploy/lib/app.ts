// The CDK app: one env-agnostic stack, every resource tagged with the project, cdk-nag's
// AwsSolutions pack applied (its suppressions live in nag-suppressions.ts). bin/app.ts synthesizes
// it for the CLI; the tests build it the same way into a temporary directory.
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ObservabilityStack } from './observability-stack.ts';
import { PROJECT_TAG, STACK_NAME, readSettings } from './settings.ts';

export interface BuildOptions {
  /** Extra context, as `-c key=value` would give it. */
  context?: Record<string, unknown>;
  outdir?: string;
}

export function buildApp(options: BuildOptions = {}): { app: App; stack: ObservabilityStack } {
  // No CDK metadata resource: the template holds only what the kit needs, and nothing reports home.
  const app = new App({ context: options.context, outdir: options.outdir, analyticsReporting: false });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new ObservabilityStack(app, STACK_NAME, settings, {
    description:
      'OpenTelemetry workshop kit on AWS: items service and AWS inventory with ADOT sidecars on ECS Fargate, AMP, X-Ray, Loki on S3, Grafana',
  });
  Tags.of(app).add(PROJECT_TAG.key, PROJECT_TAG.value);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
