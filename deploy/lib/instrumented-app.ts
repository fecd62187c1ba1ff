// One of the kit's own Node apps (service/, inventory/) as a Fargate service: its image built from
// its Dockerfile with the repository root as context, the ADOT collector sidecar beside it
// (collector-sidecar.ts), and the app started only once the sidecar is healthy. The stack's
// constructs (items-service.ts, inventory.ts) say only what differs: size, port, environment,
// permissions and how it is reached.
import { Duration, IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../kit/layout.ts';
import { type CollectorSidecarProps, addCollectorSidecar } from './collector-sidecar.ts';
import { type TaskPlacement, fargateService, fargateTask } from './fargate.ts';
import { containerLogs } from './task-logs.ts';

/**
 * The patterns of `<dockerfile>.dockerignore` (BuildKit's per-Dockerfile ignore file, which CDK
 * does not read itself), so only what the image build copies is staged; plus the Dockerfile,
 * which the allow-list leaves out and CDK re-includes only at the context's top level.
 */
export function dockerfileExcludes(dockerfile: string, repo: string = REPO_ROOT): string[] {
  const patterns = readFileSync(path.join(repo, `${dockerfile}.dockerignore`), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return [...patterns, `!${dockerfile}`];
}

export interface InstrumentedAppProps {
  /** Task size: the app and the sidecar's 384 MiB must fit in memoryLimitMiB. */
  size: { cpu: number; memoryLimitMiB: number };
  telemetry: CollectorSidecarProps;
  app: {
    /** Container name (the ALB target names it). */
    name: string;
    /** Relative to the repository root, e.g. service/Dockerfile. */
    dockerfile: string;
    /** Its status server's port: PORT in its environment, and the health check's. */
    port: number;
    memoryLimitMiB: number;
    /** Beside HOST and PORT. */
    environment?: Record<string, string>;
    /** Map the port for a load balancer target; a task nobody calls maps none. */
    mapPort: boolean;
  };
  service: Pick<ecs.FargateServiceProps, 'minHealthyPercent' | 'maxHealthyPercent'>;
}

export interface InstrumentedApp {
  taskDefinition: ecs.FargateTaskDefinition;
  service: ecs.FargateService;
}

export function instrumentedApp(
  scope: Construct,
  placement: TaskPlacement,
  props: InstrumentedAppProps,
): InstrumentedApp {
  const taskDefinition = fargateTask(scope, props.size);
  const collector = addCollectorSidecar(scope, taskDefinition, props.telemetry);

  const { name, dockerfile, port } = props.app;
  const image = new ecrAssets.DockerImageAsset(scope, 'Image', {
    // The Dockerfiles expect the repository root as their context (package.json and the lock).
    directory: REPO_ROOT,
    file: dockerfile,
    exclude: dockerfileExcludes(dockerfile),
    // Docker's own matching (negations included), as BuildKit applies the file.
    ignoreMode: IgnoreMode.DOCKER,
    platform: ecrAssets.Platform.LINUX_AMD64,
  });
  const app = taskDefinition.addContainer(name, {
    image: ecs.ContainerImage.fromDockerImageAsset(image),
    essential: true,
    environment: { HOST: '0.0.0.0', PORT: String(port), ...props.app.environment },
    memoryLimitMiB: props.app.memoryLimitMiB,
    ...(props.app.mapPort ? { portMappings: [{ containerPort: port }] } : {}),
    // ServiceLogs, InventoryLogs: the ids the items service's log group has always had.
    logging: containerLogs(scope, `${name[0]!.toUpperCase()}${name.slice(1)}Logs`, name),
    healthCheck: {
      // The images have node but no curl; the same probe as their Dockerfile HEALTHCHECK.
      command: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      interval: Duration.seconds(10),
      timeout: Duration.seconds(3),
      retries: 6,
      startPeriod: Duration.seconds(20),
    },
  });
  // Start after the collector answers, so the first telemetry is not refused.
  app.addContainerDependencies({ container: collector, condition: ecs.ContainerDependencyCondition.HEALTHY });

  return { taskDefinition, service: fargateService(scope, placement, taskDefinition, props.service) };
}
