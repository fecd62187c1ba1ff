// The container images the AWS deployment runs, as compose.yaml pins them: compose is the one
// owner of every image tag (native/build/versions.test.ts keeps native/build/versions.json in step with it),
// so the cloud runs exactly what the workshop laptops run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../kit/layout.ts';

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null>;
}

function composeServices(repo: string): Record<string, ComposeService> {
  return (parse(readFileSync(path.join(repo, 'compose.yaml'), 'utf8')) as { services: Record<string, ComposeService> })
    .services;
}

/** `image:` of one compose service; a tag is required (compose's own rule: no `latest`). */
export function composeImage(service: string, repo: string = REPO_ROOT): string {
  const image = composeServices(repo)[service]?.image;
  if (!image || !/:[\w.-]+$/.test(image) || image.endsWith(':latest'))
    throw new Error(`compose.yaml: service ${service} has no pinned image (${image ?? 'none'})`);
  return image;
}

/** Grafana's compose environment (anonymous viewers, no phoning home, the home dashboard), minus the local-only password. */
export function composeGrafanaEnvironment(repo: string = REPO_ROOT): Record<string, string> {
  const env = composeServices(repo).grafana?.environment ?? {};
  return Object.fromEntries(
    Object.entries(env)
      .filter(([key]) => key !== 'GF_SECURITY_ADMIN_PASSWORD')
      .map(([key, value]) => [key, String(value)]),
  );
}

export const PINNED_IMAGES = {
  collector: composeImage('collector'),
  loki: composeImage('loki'),
  grafana: composeImage('grafana'),
} as const;
