// Readers for the stack's config files (compose.yaml, the collector configs, the backends' configs),
// shared by the tests that check them without Docker.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { interpolate, interpolations } from '../kit/env.ts';

export { REPO_ROOT as repoRoot } from '../kit/layout.ts';
import { REPO_ROOT as repoRoot } from '../kit/layout.ts';

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}

export function readText(relative: string): string {
  return readFileSync(repoPath(relative), 'utf8');
}

export function readYaml<T = unknown>(relative: string): T {
  return parse(readText(relative)) as T;
}

export function exists(relative: string): boolean {
  return existsSync(repoPath(relative));
}

export interface HealthCheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
  retries?: number;
  start_period?: string;
}
export type DependsOn = string[] | Record<string, { condition?: string }>;
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  user?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { host_ip?: string; target?: number; published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  depends_on?: DependsOn;
  healthcheck?: HealthCheck;
  mem_limit?: string | number;
  deploy?: { resources?: { limits?: { memory?: string } } };
  profiles?: string[];
  working_dir?: string;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readCompose(relative = 'compose.yaml'): ComposeFile {
  return readYaml<ComposeFile>(relative);
}

/** `environment:` as a map, in either compose form. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  bind: boolean;
}

/** A service's volumes in one shape; a source starting with "." or "/" or "~" is a bind mount. */
export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = '', mode = ''] = volume.split(':');
      return { source, target, readOnly: mode.split(',').includes('ro'), bind: /^[.~/$]/.test(source) };
    }
    const source = volume.source ?? '';
    return {
      source,
      target: volume.target ?? '',
      readOnly: volume.read_only === true,
      bind: volume.type === 'bind' || /^[.~/$]/.test(source),
    };
  });
}

/** The host side of a container path, through the service's bind mounts (longest target wins). */
export function hostPathFor(service: ComposeService, containerPath: string): string | undefined {
  const candidates = mountsOf(service)
    .filter((m) => m.bind && (containerPath === m.target || containerPath.startsWith(`${m.target}/`)))
    .sort((a, b) => b.target.length - a.target.length);
  const mount = candidates[0];
  if (!mount) return undefined;
  return `${mount.source}${containerPath.slice(mount.target.length)}`;
}

export function commandList(service: ComposeService): string[] {
  const command = service.command;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.split(/\s+/).filter(Boolean);
}

/** Every `${VAR...}` reference in a text (compose and Loki syntax), by variable name. */
export function shellVariables(text: string): { name: string; expression: string }[] {
  return interpolations(text, 'compose').map(({ name, text: expression }) => ({ name, expression }));
}

/**
 * Expands `${VAR}`, `${VAR:-default}` (compose, Loki with -config.expand-env) or
 * `${env:VAR:-default}` (the collector) the way those programs do, from `env`.
 */
export function expandEnv(text: string, env: Record<string, string | undefined>, collectorSyntax = false): string {
  return interpolate(text, env, collectorSyntax ? 'collector' : 'compose');
}

/** Collector-style merge of several --config files: maps merge key by key, lists and scalars are replaced. */
export function mergeConfigs(...documents: unknown[]): unknown {
  const merge = (base: unknown, overlay: unknown): unknown => {
    if (isPlainObject(base) && isPlainObject(overlay)) {
      const out: Record<string, unknown> = { ...base };
      for (const [key, value] of Object.entries(overlay)) out[key] = key in base ? merge(base[key], value) : value;
      return out;
    }
    return overlay;
  };
  return documents.reduce((acc, doc) => merge(acc, doc));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
