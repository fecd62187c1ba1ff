import { describe, expect, it } from 'vitest';
import { parseStackArgs, planStack } from './stack-mode.ts';

describe('npm run stack', () => {
  it('uses Docker Compose where an engine answers, waiting for healthchecks', () => {
    expect(planStack(parseStackArgs([]), true)).toEqual([
      expect.objectContaining({ command: 'docker', args: ['compose', 'up', '-d', '--wait'] }),
    ]);
  });

  it('adds the AWS override file only when asked', () => {
    expect(planStack(parseStackArgs(['--aws']), true)[0]!.args).toEqual([
      'compose',
      '-f',
      'compose.yaml',
      '-f',
      'compose.aws.yaml',
      'up',
      '-d',
      '--wait',
    ]);
    expect(planStack(parseStackArgs(['--down']), true)[0]!.args).toEqual(['compose', 'down']);
  });

  it('falls back to the native stack without Docker: build binaries, build the service, start it without AWS by default', () => {
    const steps = planStack(parseStackArgs([]), false);
    expect(steps.map((s) => s.args.join(' '))).toEqual([
      'run --silent native:build',
      'run --silent build',
      'run --silent stack:native -- --no-aws',
    ]);
    expect(planStack(parseStackArgs(['--aws']), false).at(-1)!.args).toEqual(['run', '--silent', 'stack:native']);
  });

  it('refuses unknown arguments and a native --down with a clear message', () => {
    expect(() => parseStackArgs(['--wat'])).toThrow(/unknown argument\(s\): --wat/);
    expect(() => planStack(parseStackArgs(['--down']), false)).toThrow(/no Docker engine answers/);
  });
});
