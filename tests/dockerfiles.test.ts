import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// No Docker engine on CI machines: check the Dockerfiles' promises statically instead.
import { INVENTORY_ENTRY, REPO_ROOT as repoRoot } from '../kit/layout.ts';
const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

const images = [
  { file: 'service/Dockerfile', script: 'start', envFile: 'service/otel.env' },
  { file: 'inventory/Dockerfile', script: 'start:inventory', envFile: 'inventory/otel.env' },
];

describe.each(images)('$file', ({ file, script, envFile }) => {
  const dockerfile = readFileSync(resolve(repoRoot, file), 'utf8');
  const instruction = (name: string) => dockerfile.split('\n').filter((line) => line.startsWith(`${name} `));

  it(`runs exactly the npm ${script} command line (same preloads, same env file)`, () => {
    const cmd = JSON.parse(instruction('CMD')[0]!.slice('CMD '.length)) as string[];
    expect(cmd).toEqual(pkg.scripts[script]!.split(/\s+/));
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
    expect(runtime).toContain(`COPY ${envFile} ${envFile}`);
  });

  it('its build-context allow-list lets in every file the build copies from the context', () => {
    const allowed = readFileSync(resolve(repoRoot, `${file}.dockerignore`), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1));
    const copied = instruction('COPY')
      .filter((line) => !line.includes('--from='))
      .flatMap((line) => line.slice('COPY '.length).split(/\s+/).slice(0, -1));
    for (const source of copied) expect(allowed, `${file} copies ${source}`).toContain(source);
  });
});

it('the inventory start script runs the compiled entry the native harness looks for', () => {
  expect(pkg.scripts['start:inventory']).toContain(INVENTORY_ENTRY);
});

it('the inventory image builds from kit/ and inventory/ alone: nothing of service/ is copied', () => {
  const dockerfile = readFileSync(resolve(repoRoot, 'inventory/Dockerfile'), 'utf8');
  const ignore = readFileSync(resolve(repoRoot, 'inventory/Dockerfile.dockerignore'), 'utf8');
  const copies = dockerfile.split('\n').filter((line) => /^(COPY|RUN) /.test(line));
  expect(copies.join('\n')).not.toMatch(/\bservice\b/);
  expect(ignore).not.toMatch(/^!service/m);
});
