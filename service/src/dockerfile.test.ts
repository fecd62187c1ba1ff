import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// No Docker engine on CI machines: check the Dockerfile's promises statically instead.
import { REPO_ROOT as repoRoot } from '../../native/layout.ts';
const dockerfile = readFileSync(resolve(repoRoot, 'service/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string }; engines: { node: string } };

function instruction(name: string): string[] {
  return dockerfile.split('\n').filter((line) => line.startsWith(`${name} `));
}

describe('service/Dockerfile', () => {
  it('runs exactly the npm start command line (same preloads, same env file)', () => {
    const cmd = JSON.parse(instruction('CMD')[0]!.slice('CMD '.length)) as string[];
    expect(cmd).toEqual(pkg.scripts.start.split(/\s+/));
  });

  it('pins a Node 24 patch release, the major package.json requires', () => {
    const image = /ARG NODE_IMAGE=node:(\d+)\.(\d+)\.(\d+)-[a-z0-9-]+/.exec(dockerfile);
    expect(image?.[1]).toBe('24');
    expect(pkg.engines.node).toContain('>=24');
    expect(instruction('FROM').every((line) => line.startsWith('FROM ${NODE_IMAGE} AS '))).toBe(true);
  });

  it('is the Node version CI tests on: .ci/run installs the same release, .nvmrc names the same major', () => {
    const image = /ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/.exec(dockerfile)?.[1];
    const ci = /^NODE_VERSION=(\d+\.\d+\.\d+)/m.exec(readFileSync(resolve(repoRoot, '.ci/run'), 'utf8'))?.[1];
    expect(ci).toBe(image);
    expect(readFileSync(resolve(repoRoot, '.nvmrc'), 'utf8').trim()).toBe(image?.split('.')[0]);
  });

  it('installs production dependencies only in the runtime stage, runs unprivileged, and health-checks /health', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(runtime).toContain('COPY service/otel.env service/otel.env');
  });
});
