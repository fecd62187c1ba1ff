// Decisions behind `npm run stack`, free of I/O so they are unit-tested: Docker Compose where a
// Docker engine answers, otherwise the native stack of real binaries (which needs them built).

export interface StackArgs {
  aws: boolean;
  down: boolean;
}

export function parseStackArgs(argv: string[]): StackArgs {
  const unknown = argv.filter((a) => a !== '--aws' && a !== '--down');
  if (unknown.length > 0)
    throw new Error(`unknown argument(s): ${unknown.join(' ')}; usage: npm run stack [-- --aws] [-- --down]`);
  return { aws: argv.includes('--aws'), down: argv.includes('--down') };
}

export interface Step {
  command: string;
  args: string[];
  why: string;
}

/** The commands to run, in order, for one machine. */
export function planStack(args: StackArgs, dockerEngineAnswers: boolean): Step[] {
  if (dockerEngineAnswers) {
    const files = args.aws ? ['-f', 'compose.yaml', '-f', 'compose.aws.yaml'] : [];
    return [
      args.down
        ? { command: 'docker', args: ['compose', ...files, 'down'], why: 'stop the Compose stack (volumes are kept)' }
        : {
            command: 'docker',
            args: ['compose', ...files, 'up', '-d', '--wait'],
            why: 'a Docker engine answers: start the Compose stack and wait until every service is healthy',
          },
    ];
  }
  if (args.down)
    throw new Error('no Docker engine answers; the native stack stops with Ctrl-C in the terminal that started it');
  return [
    {
      command: 'npm',
      args: ['run', '--silent', 'native:build'],
      why: 'no Docker engine answers: build or reuse the real binaries (cached by version)',
    },
    { command: 'npm', args: ['run', '--silent', 'build'], why: 'compile the service' },
    {
      command: 'npm',
      args: ['run', '--silent', 'stack:native', ...(args.aws ? [] : ['--', '--no-aws'])],
      why: 'start the native stack (Ctrl-C stops it)',
    },
  ];
}
