// `npm run stack [-- --aws] [-- --down]`: the workshop stack on whatever this machine has.
// Docker Compose where a Docker engine answers; otherwise the same config files on real binaries
// (native/), which is what CI and machines without Docker use.
import { spawnSync } from 'node:child_process';
import { parseStackArgs, planStack } from './stack-mode.ts';

function dockerEngineAnswers(): boolean {
  // `docker info` talks to the engine; a client with no engine fails fast. Bounded anyway.
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

function main(): number {
  let steps;
  try {
    steps = planStack(parseStackArgs(process.argv.slice(2)), dockerEngineAnswers());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
  for (const step of steps) {
    console.log(`> ${step.command} ${step.args.join(' ')}   (${step.why})`);
    const result = spawnSync(step.command, step.args, { stdio: 'inherit' });
    if (result.error) {
      console.error(`${step.command}: ${result.error.message}`);
      return 1;
    }
    if (result.status !== 0) return result.status ?? 1;
  }
  return 0;
}

process.exit(main());
