// The one owner of where things are: the repository root, the binary cache, and every address
// and port of the stack (compose's published ports on 127.0.0.1 and the native harness's
// per-component loopback IPs). Scripts, tests, the e2e suite and the harness import from here.
//
// Plain TypeScript that Node 24 can run by type stripping (no enums, no parameter properties,
// no __dirname at module level): `npm run load` imports it without an install step.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_NAME = 'otel-workshop-kit';

/**
 * The repository root: the nearest directory above `start` whose package.json is this project's.
 * Walks up rather than trusting __dirname or import.meta, which are not both available under
 * tsc's CommonJS output, vitest (ESM) and Node's type stripping.
 */
function findRepoRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME)
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`not inside the ${PACKAGE_NAME} repository: ${start}`);
    dir = parent;
  }
}

/**
 * This module's own directory where the module system offers it (CommonJS, vitest), else the entry
 * script's (Node's type stripping runs scripts/*.ts as ES modules, without __dirname), else the
 * working directory: the first of them inside the repository wins.
 */
function locateRepoRoot(): string {
  const starts = [
    typeof __dirname === 'string' ? __dirname : undefined,
    process.argv[1] && existsSync(process.argv[1]) ? path.dirname(process.argv[1]) : undefined,
    process.cwd(),
  ];
  for (const start of starts) {
    if (!start) continue;
    try {
      return findRepoRoot(start);
    } catch {
      // not inside the repository: try the next start
    }
  }
  throw new Error(`not inside the ${PACKAGE_NAME} repository (looked from ${starts.filter(Boolean).join(', ')})`);
}

export const REPO_ROOT = locateRepoRoot();

/**
 * The compiled programs: service/ and inventory/ compile with the kit/ modules they import into
 * the one dist/ at the root (their tsconfig.json), so both entries and the one preload sit there.
 */
export const SERVICE_ENTRY = 'dist/service/src/index.js';
export const INVENTORY_ENTRY = 'dist/inventory/src/main.js';
export const PRELOAD = './dist/kit/node/preload/preload.js';

export const COMPONENT_NAMES = ['moto', 'prometheus', 'loki', 'jaeger', 'collector', 'service', 'inventory'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/**
 * One loopback IP per component in the native harness, so every compose port carries over
 * unchanged. `loki` is Loki's door (native/loki-door): Loki itself is not run here.
 */
export const ADDRESSES: Record<ComponentName, string> = {
  service: '127.0.0.10',
  collector: '127.0.0.11',
  prometheus: '127.0.0.12',
  loki: '127.0.0.13',
  jaeger: '127.0.0.14',
  moto: '127.0.0.15',
  inventory: '127.0.0.16',
};

/** Where compose publishes every port on the host (never beyond loopback). */
const COMPOSE_HOST = '127.0.0.1';

export const PORTS = {
  service: 8080,
  collectorGrpc: 4317,
  collectorHttp: 4318,
  collectorHealth: 13133,
  collectorMetrics: 8888,
  collectorAwsProxy: 2000,
  prometheus: 9090,
  loki: 3100,
  jaegerUi: 16686,
  jaegerQueryGrpc: 16685,
  jaegerOtlpGrpc: 4317,
  jaegerOtlpHttp: 4318,
  jaegerHealth: 13133,
  jaegerMetrics: 8888,
  jaegerSpanMetrics: 8889,
  grafana: 3000,
  moto: 5000,
  inventory: 8081,
} as const;

export function url(host: string, port: number, pathname = ''): string {
  return `http://${host}:${port}${pathname}`;
}

/** Every base URL a client of the native stack needs, by IP (a test process does not see its private /etc/hosts). */
export function nativeUrls() {
  return {
    service: url(ADDRESSES.service, PORTS.service),
    collectorOtlpHttp: url(ADDRESSES.collector, PORTS.collectorHttp),
    collectorOtlpGrpc: `${ADDRESSES.collector}:${PORTS.collectorGrpc}`,
    collectorHealth: url(ADDRESSES.collector, PORTS.collectorHealth),
    collectorMetrics: url(ADDRESSES.collector, PORTS.collectorMetrics, '/metrics'),
    prometheus: url(ADDRESSES.prometheus, PORTS.prometheus),
    loki: url(ADDRESSES.loki, PORTS.loki),
    jaeger: url(ADDRESSES.jaeger, PORTS.jaegerUi),
    jaegerHealth: url(ADDRESSES.jaeger, PORTS.jaegerHealth, '/status'),
    moto: url(ADDRESSES.moto, PORTS.moto),
    inventory: url(ADDRESSES.inventory, PORTS.inventory),
  };
}
export type NativeUrls = ReturnType<typeof nativeUrls>;

/** The same endpoints as compose publishes them on the host. */
export function composeUrls() {
  return {
    service: url(COMPOSE_HOST, PORTS.service),
    collectorOtlpHttp: url(COMPOSE_HOST, PORTS.collectorHttp),
    collectorMetrics: url(COMPOSE_HOST, PORTS.collectorMetrics, '/metrics'),
    prometheus: url(COMPOSE_HOST, PORTS.prometheus),
    loki: url(COMPOSE_HOST, PORTS.loki),
    jaeger: url(COMPOSE_HOST, PORTS.jaegerUi),
    grafana: url(COMPOSE_HOST, PORTS.grafana),
    inventory: url(COMPOSE_HOST, PORTS.inventory),
  };
}
