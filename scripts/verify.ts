/**
 * `npm run verify [-- --native] [--aws] [--json] [--no-color]`: a facilitator's pre-flight check
 * of the running stack. Each backend answers; the collector receives and exports; a few requests
 * of its own (one /crash) are found in Jaeger, Loki and Prometheus; every dashboard query returns
 * data; the links resolve; Grafana's own API agrees where Grafana runs. The checks are the e2e's
 * (kit/checks/); this file only reads arguments and prints (scripts/verify-report.ts).
 *   Addresses: as `npm run top` (scripts/command-line.ts): SERVICE_URL, COLLECTOR_METRICS_URL,
 *   PROMETHEUS_URL, JAEGER_URL, LOKI_URL, INVENTORY_URL, GRAFANA_URL; GRAFANA_ADMIN_PASSWORD as in .env.
 * Exit 0 when every check passes, 1 when one fails, 2 on a bad argument or address.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Datasource } from '../kit/checks/links.ts';
import { verifyStack } from '../kit/checks/stack-checks.ts';
import { nativeUrls, REPO_ROOT } from '../kit/layout.ts';
import { readCommandLine } from './command-line.ts';
import { exitCode, renderChecklist, toJson, type VerifyRun } from './verify-report.ts';

const USAGE = 'usage: npm run verify -- [--native] [--aws] [--json] [--no-color]';

const { flags, urls } = readCommandLine('verify', USAGE, {
  native: { type: 'boolean' },
  aws: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
});
const native = flags.native === true;
const aws = flags.aws === true;

/** GRAFANA_ADMIN_PASSWORD from the environment, else from .env, else compose's local-only fallback. */
function grafanaPassword(): string {
  const fromEnv = process.env.GRAFANA_ADMIN_PASSWORD?.trim();
  if (fromEnv) return fromEnv;
  const dotEnv = path.join(REPO_ROOT, '.env');
  if (existsSync(dotEnv)) {
    const line = /^\s*GRAFANA_ADMIN_PASSWORD\s*=\s*(.*)$/m.exec(readFileSync(dotEnv, 'utf8'))?.[1]?.trim();
    if (line) return line.replace(/^(["'])(.*)\1$/, '$2');
  }
  return (
    /GRAFANA_ADMIN_PASSWORD:-([^}]+)\}/.exec(readFileSync(path.join(REPO_ROOT, 'compose.yaml'), 'utf8'))?.[1] ?? ''
  );
}

/**
 * The datasources as Grafana provisions them from the files. Read with the `yaml` package, so
 * only where Grafana's API cannot be asked (the native stack, which needs `npm ci` anyway).
 */
async function provisionedDatasources(): Promise<Datasource[]> {
  const { readProvisionedDatasources } = await import('../kit/grafana-provisioning.ts');
  const dir = path.join(REPO_ROOT, 'dashboards', 'provisioning');
  return readProvisionedDatasources(
    [
      path.join(dir, 'datasources', 'datasources.yaml'),
      ...(aws ? [path.join(dir, 'datasources-aws', 'xray.yaml')] : []),
    ],
    process.env,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const report = await verifyStack({
    mode: native ? 'native' : 'compose',
    aws,
    urls: {
      service: urls.service,
      collectorMetrics: urls.collectorMetrics,
      prometheus: urls.prometheus,
      jaeger: urls.jaeger,
      loki: urls.loki,
      inventory: urls.inventory,
      ...(native ? {} : { grafana: urls.grafana }),
      // The native stack's X-Ray is moto; against AWS itself verify prints the console link.
      ...(native && aws ? { xray: nativeUrls().moto } : {}),
    },
    awsRegion: process.env.AWS_REGION?.trim() || 'us-east-1',
    grafanaAuth: { user: 'admin', password: grafanaPassword() },
    provisionedDatasources,
    telemetryBoundMs: 30_000,
    metricsBoundMs: 45_000,
    windowSeconds: 15 * 60,
    panelWaitMs: 20_000,
  });
  const run: VerifyRun = {
    stack: native ? 'native' : 'compose',
    aws,
    startedAt: new Date(started).toISOString(),
    ms: Date.now() - started,
    urls: native ? Object.fromEntries(Object.entries(urls).filter(([k]) => k !== 'grafana')) : urls,
    report,
  };
  const color = !flags['no-color'] && !process.env.NO_COLOR && process.stdout.isTTY === true;
  console.log(flags.json ? JSON.stringify(toJson(run), null, 2) : renderChecklist(run, { color }));
  process.exitCode = exitCode(report);
}

main().catch((error: unknown) => {
  console.error(`verify: ${(error as Error).message?.split('\n')[0] ?? String(error)}`);
  process.exit(1);
});
