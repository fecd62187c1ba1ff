/**
 * Reads Grafana provisioning files the way Grafana does, so tests (unit and end-to-end) see the
 * values Grafana will use rather than the raw YAML text:
 *  - every string goes through Grafana's environment expansion, where `$$` is a literal `$` and
 *    `$VAR` / `${VAR}` is replaced by an environment variable (empty when unset);
 *  - files are applied in name order and a later datasource with the same name replaces the
 *    earlier one (the AWS file re-provisions Loki this way).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url?: string;
  jsonData?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Grafana's provisioning interpolation of one string (pkg/services/provisioning/values). */
export function interpolateProvisioningValue(value: string, env: Record<string, string | undefined> = {}): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(
        /\$\{([^}]*)\}|\$(\w+)/g,
        (_m, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? '',
      ),
    )
    .join('$');
}

function interpolateDeep(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolateProvisioningValue(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]));
  return value;
}

/**
 * The datasources Grafana ends up with after provisioning these files (as Grafana sees them in
 * its provisioning directory: applied in file-name order, later definitions win by name).
 */
export function readProvisionedDatasources(
  files: string[],
  env: Record<string, string | undefined> = {},
): ProvisionedDatasource[] {
  const byName = new Map<string, ProvisionedDatasource>();
  const ordered = [...files].sort((a, b) => basename(a).localeCompare(basename(b)));
  for (const file of ordered) {
    const doc = parse(readFileSync(file, 'utf8')) as { datasources?: ProvisionedDatasource[] };
    for (const ds of doc.datasources ?? []) byName.set(ds.name, interpolateDeep(ds, env) as ProvisionedDatasource);
  }
  return [...byName.values()];
}
