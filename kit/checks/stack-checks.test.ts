// verify's Grafana checks against a narrow test double of Grafana's HTTP API (Grafana does not run
// on these machines): /api/health, /api/datasources/uid/<uid>[/health] behind the admin's basic
// auth, /api/dashboards/uid/<uid>. The double serves the datasources from the kit's own
// provisioning files, as Grafana would provision them. Everything else of the stack is a port
// where nothing listens, apart from a Prometheus double, so the checks get past "nothing answers".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCommittedDashboards } from '../dashboard-targets.ts';
import { readProvisionedDatasources } from '../grafana-provisioning.ts';
import { REPO_ROOT } from '../layout.ts';
import { freePort } from '../testing/processes.ts';
import type { Datasource } from './links.ts';
import { type CheckResult, lookAt, verifyStack, type VerifyTarget } from './stack-checks.ts';

const PASSWORD = 'workshop-test';
const datasources = readProvisionedDatasources([
  path.join(REPO_ROOT, 'dashboards/provisioning/datasources/datasources.yaml'),
]) as Datasource[];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** Grafana's API as far as verify asks it. */
function grafanaDouble(opts: { unhealthy?: string; missingDashboard?: string } = {}) {
  const admin = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
  return serve((req, res) => {
    const url = req.url ?? '';
    if (url === '/api/health') return json(res, 200, { database: 'ok', version: '13.2.0' });
    const ds = /^\/api\/datasources\/uid\/([\w-]+)(\/health)?$/.exec(url);
    if (ds) {
      if (req.headers.authorization !== admin) return json(res, 401, { message: 'Unauthorized' });
      const found = datasources.find((d) => d.uid === ds[1]);
      if (!found) return json(res, 404, { message: 'Data source not found' });
      if (!ds[2]) return json(res, 200, { id: 1, orgId: 1, access: 'proxy', ...found });
      return ds[1] === opts.unhealthy
        ? json(res, 400, { status: 'ERROR', message: 'Unable to connect with Loki' })
        : json(res, 200, { status: 'OK', message: 'Data source is working' });
    }
    const board = /^\/api\/dashboards\/uid\/([\w-]+)$/.exec(url);
    if (board && board[1] !== opts.missingDashboard && loadCommittedDashboards().some((b) => b.uid === board[1]))
      return json(res, 200, { dashboard: { uid: board[1] }, meta: { provisioned: true } });
    json(res, 404, { message: 'Not found' });
  });
}

/** Prometheus answering its build info and empty query results. */
const prometheusDouble = () =>
  serve((req, res) => {
    if ((req.url ?? '').startsWith('/api/v1/status/buildinfo'))
      return json(res, 200, { status: 'success', data: { version: '3.16.0' } });
    json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
  });

async function target(grafana: string, password = PASSWORD): Promise<VerifyTarget> {
  const nobody = async () => `http://127.0.0.1:${await freePort()}`;
  return {
    mode: 'compose',
    aws: false,
    urls: {
      service: await nobody(),
      collectorMetrics: await nobody(),
      prometheus: await prometheusDouble(),
      jaeger: await nobody(),
      loki: await nobody(),
      inventory: await nobody(),
      grafana,
    },
    awsRegion: 'us-east-1',
    grafanaAuth: { user: 'admin', password },
    provisionedDatasources: () => Promise.resolve(datasources),
    telemetryBoundMs: 1_000,
    metricsBoundMs: 1_000,
    windowSeconds: 900,
    panelWaitMs: 0,
  };
}

const byName = (checks: CheckResult[], name: string) => checks.find((c) => c.name === name);

describe("verify asks Grafana's own API where Grafana runs", () => {
  it('its version, every datasource healthy by uid, every provisioned dashboard present', async () => {
    const report = await verifyStack(await target(await grafanaDouble()));
    expect(report.reachable).toBe(true);
    expect(byName(report.checks, 'Grafana answers')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('version 13.2.0'),
    });
    expect(byName(report.checks, "Grafana's datasources are healthy")).toMatchObject({
      ok: true,
      detail: 'prometheus OK, loki OK, jaeger OK',
    });
    const boards = byName(report.checks, "Grafana's provisioned dashboards are present");
    expect(boards?.ok).toBe(true);
    for (const b of loadCommittedDashboards()) expect(boards?.detail).toContain(b.title);
    // Jaeger and Loki do not answer here: what needs them says so instead of waiting.
    expect(byName(report.checks, 'log -> trace: the /crash log line links to its trace')?.detail).toMatch(
      /^not checked: (Loki|Jaeger) does not answer/,
    );
  });

  it('a refused login names GRAFANA_ADMIN_PASSWORD', async () => {
    const report = await verifyStack(await target(await grafanaDouble(), 'wrong'));
    const check = byName(report.checks, "Grafana's datasources are healthy");
    expect(check?.ok).toBe(false);
    expect(check?.detail).toMatch(/refused verify's login.*401/);
    expect(check?.fix).toContain('GRAFANA_ADMIN_PASSWORD');
  });

  it('an unhealthy datasource and a missing dashboard are named', async () => {
    const missing = loadCommittedDashboards()[0]!;
    const report = await verifyStack(
      await target(await grafanaDouble({ unhealthy: 'loki', missingDashboard: missing.uid })),
    );
    const health = byName(report.checks, "Grafana's datasources are healthy");
    expect(health).toMatchObject({ ok: false, detail: 'loki: 400 ERROR Unable to connect with Loki' });
    expect(health?.fix).toContain('docker compose logs --tail 50 grafana');
    const boards = byName(report.checks, "Grafana's provisioned dashboards are present");
    expect(boards).toMatchObject({ ok: false, detail: `missing: ${missing.title} (${missing.uid}): 404` });
  });

  it('Grafana not reachable: it says so and checks the backends directly', async () => {
    const report = await verifyStack(await target(`http://127.0.0.1:${await freePort()}`));
    expect(byName(report.checks, 'Grafana answers')).toMatchObject({ ok: false, fix: lookAt('compose', 'grafana') });
    expect(report.notes.join('\n')).toMatch(/Grafana does not answer: the backends are checked directly/);
    expect(byName(report.checks, 'Prometheus answers')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('3.16.0'),
    });
    expect(byName(report.checks, "Grafana's datasources are healthy")?.detail).toBe(
      'not checked: Grafana does not answer',
    );
  });
});
