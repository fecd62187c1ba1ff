// Loki's door on its own: what it decodes from real OTLP protobuf and JSON, how it maps records
// as Loki documents, and the LogQL subset it evaluates. The e2e suite then runs it behind the
// real collector.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../kit/layout.ts';
import { queryLogs } from '../../kit/checks/logs.ts';
import { LOG_BRIDGE_SCOPE } from '../../kit/names/service.ts';
import { UnsupportedAtDoor, parseSelection, select } from './logql.ts';
import { type StoredLine, configuredIndexLabels, detectedLevel, queryLabels, toLokiEntry } from './loki-mapping.ts';
import { encodeLogsRequest } from './otlp-logs.ts';
import { type DoorRecord, OTLP_LOGS_PATH, RECORDS_PATH, createDoor } from './server.ts';

const traceId = '6752f3c1aabbccddeeff001122334455';
const spanId = '0011223344556677';
const str = (v: string) => ({ stringValue: v });

function request(
  records: {
    body: string;
    severityText: string;
    severityNumber: number;
    attrs?: Record<string, string>;
    withTrace?: boolean;
  }[],
) {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: str('items-api') },
            { key: 'service.namespace', value: str('otel-workshop') },
            { key: 'deployment.environment.name', value: str('workshop') },
            { key: 'host.name', value: str('vm') },
          ],
        },
        scopeLogs: [
          {
            scope: { name: LOG_BRIDGE_SCOPE },
            logRecords: records.map((r) => ({
              timeUnixNano: '1790000000123456789',
              severityNumber: r.severityNumber,
              severityText: r.severityText,
              body: str(r.body),
              attributes: Object.entries(r.attrs ?? {}).map(([key, v]) => ({ key, value: str(v) })),
              ...(r.withTrace === false
                ? {}
                : {
                    traceId: Buffer.from(traceId, 'hex').toString('base64'),
                    spanId: Buffer.from(spanId, 'hex').toString('base64'),
                  }),
            })),
          },
        ],
      },
    ],
  };
}

describe("Loki's door over HTTP", () => {
  const door = createDoor({ maxRecords: 3, extraIndexLabels: ['deployment.environment.name'] });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => door.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(door.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => door.server.close(() => resolve())));

  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${base}${OTLP_LOGS_PATH}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(5_000) });
  const records = async () =>
    (await (await fetch(`${base}${RECORDS_PATH}`)).json()) as {
      records: DoorRecord[];
      dropped: number;
      rejected: number;
    };

  it('decodes protobuf as the otlphttp exporter sends it, and answers like Loki', async () => {
    const body = encodeLogsRequest(
      request([
        {
          body: 'request completed',
          severityText: 'info',
          severityNumber: 9,
          attrs: { 'http.route': '/items', run_id: 'r1' },
        },
      ]),
    );
    const res = await post(body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const [record] = (await records()).records;
    expect(record!.otlp).toMatchObject({
      severityText: 'info',
      severityNumber: 9,
      body: 'request completed',
      traceId,
      spanId,
      timeUnixNano: '1790000000123456789',
    });
    expect(record!.otlp.resource).toMatchObject({ 'service.name': 'items-api', 'host.name': 'vm' });
    expect(record!.loki.labels).toEqual({
      service_name: 'items-api',
      service_namespace: 'otel-workshop',
      deployment_environment_name: 'workshop',
    });
    expect(record!.loki.structuredMetadata).toMatchObject({
      trace_id: traceId,
      span_id: spanId,
      http_route: '/items',
      run_id: 'r1',
      host_name: 'vm',
      scope_name: LOG_BRIDGE_SCOPE,
      detected_level: 'info',
    });
    expect(record!.loki.line).toBe('request completed');
    const byTrace = (await (await fetch(`${base}${RECORDS_PATH}?trace_id=${traceId.toUpperCase()}`)).json()) as {
      records: DoorRecord[];
    };
    expect(byTrace.records).toHaveLength(1);
    const other = (await (await fetch(`${base}${RECORDS_PATH}?trace_id=${'0'.repeat(32)}`)).json()) as {
      records: DoorRecord[];
    };
    expect(other.records).toEqual([]);
    const counted = (await (await fetch(`${base}${RECORDS_PATH}?attr.run_id=r1&count=1`)).json()) as { count: number };
    expect(counted.count).toBe(1);
    expect(
      (
        (await (
          await fetch(`${base}${RECORDS_PATH}?attr.run_id=r1&body=${encodeURIComponent('request completed')}&count=1`)
        ).json()) as { count: number }
      ).count,
    ).toBe(1);
    expect(
      ((await (await fetch(`${base}${RECORDS_PATH}?attr.run_id=r1&body=other&count=1`)).json()) as { count: number })
        .count,
    ).toBe(0);
    expect(
      ((await (await fetch(`${base}${RECORDS_PATH}?attr.run_id=r2&count=1`)).json()) as { count: number }).count,
    ).toBe(0);
  });

  it('answers log queries itself at /door/select, as kit/checks/logs.ts asks them (labels as a query sees them)', async () => {
    const door = { kind: 'door' as const, url: base };
    const range = { fromSec: 0, toSec: Date.now() / 1000 };
    const byTrace = await queryLogs(door, `{service_name="items-api"} | trace_id="${traceId}"`, range);
    expect(byTrace.rows).toBeGreaterThan(0);
    expect(byTrace.judgedAt).toBe('loki-door');
    expect(byTrace.entries[0]!.labels).toMatchObject({ service_name: 'items-api', trace_id: traceId, run_id: 'r1' });
    expect(byTrace.entries[0]!.line).toBe('request completed');
    expect((await queryLogs(door, '{service_name="nobody"}', range)).rows).toBe(0);
    await expect(queryLogs(door, '{service_name="items-api"} | logfmt', range)).rejects.toThrow(
      /422: .*the door cannot judge this LogQL: pipeline stage/,
    );
  });

  it('decodes gzip-compressed protobuf (the exporter compresses by default) and OTLP/JSON', async () => {
    const gz = gzipSync(encodeLogsRequest(request([{ body: 'gz', severityText: 'warn', severityNumber: 13 }])));
    expect((await post(gz, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(200);
    const json = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [] },
          scopeLogs: [
            {
              logRecords: [
                { severityText: 'ERROR', severityNumber: 17, body: { stringValue: 'boom' }, traceId, spanId },
              ],
            },
          ],
        },
      ],
    });
    expect((await post(json, { 'content-type': 'application/json' })).status).toBe(200);
    const all = (await records()).records;
    expect(all.map((r) => r.otlp.body)).toEqual(['request completed', 'gz', 'boom']);
    // No service.name: Loki files it under unknown_service; JSON ids are already hex.
    expect(all[2]!.loki.labels.service_name).toBe('unknown_service');
    expect(all[2]!.otlp.traceId).toBe(traceId);
  });

  it('keeps at most maxRecords, counting what it dropped', async () => {
    await post(encodeLogsRequest(request([{ body: 'one more', severityText: 'info', severityNumber: 9 }])), {
      'content-type': 'application/x-protobuf',
    });
    const answer = await records();
    expect(answer.records.map((r) => r.otlp.body)).toEqual(['gz', 'boom', 'one more']);
    expect(answer.dropped).toBe(1);
  });

  it('refuses a body it cannot decode with 400 (permanent for the exporter), and counts it', async () => {
    const res = await post(new Uint8Array([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/cannot decode OTLP logs/);
    expect((await records()).rejected).toBe(1);
  });

  it('closes for an outage test (503, retried by the exporter), then opens again', async () => {
    expect((await fetch(`${base}/door/outage`, { method: 'POST', body: '{"seconds": 700}' })).status).toBe(400);
    expect((await fetch(`${base}/door/outage`, { method: 'POST', body: '{"seconds": 0.3}' })).status).toBe(200);
    const body = encodeLogsRequest(request([{ body: 'late', severityText: 'info', severityNumber: 9 }]));
    expect((await post(body, { 'content-type': 'application/x-protobuf' })).status).toBe(503);
    await new Promise((r) => setTimeout(r, 400));
    expect((await post(body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  it('while slowed (a slow backend) it holds each answer at least the given time, records taken', async () => {
    expect((await fetch(`${base}/door/slow`, { method: 'POST', body: '{"ms": -1, "seconds": 1}' })).status).toBe(400);
    expect((await fetch(`${base}/door/slow`, { method: 'POST', body: '{"ms": 300, "seconds": 1}' })).status).toBe(200);
    const body = encodeLogsRequest(request([{ body: 'slow', severityText: 'info', severityNumber: 9 }]));
    const started = Date.now();
    expect((await post(body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await records()).records.at(-1)?.otlp.body).toBe('slow');
  });

  it('answers 404 with a JSON error for anything else', async () => {
    const res = await fetch(`${base}/loki/api/v1/query`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route GET /loki/api/v1/query' });
  });
});

describe("Loki's OTLP mapping", () => {
  const record = {
    resource: { 'service.name': 'items-api', 'process.pid': 12, 'k8s.pod.name': 'p' },
    scope: { name: 's', version: '1', attributes: {} },
    timeUnixNano: 0n,
    observedTimeUnixNano: 5n,
    severityNumber: 17,
    severityText: '',
    body: { msg: 'structured' },
    attributes: { nested: { a: 'b' } },
    traceId: '',
    spanId: '',
    flags: 0,
    eventName: '',
  };

  it('indexes only the documented resource attributes; the rest, nested or not, is structured metadata', () => {
    const entry = toLokiEntry(record);
    expect(entry.labels).toEqual({ service_name: 'items-api', k8s_pod_name: 'p' });
    expect(entry.structuredMetadata).toMatchObject({
      process_pid: '12',
      nested_a: 'b',
      severity_number: '17',
      detected_level: 'error',
    });
    expect(entry.structuredMetadata.trace_id).toBeUndefined();
    expect(entry.line).toBe('{"msg":"structured"}');
    expect(entry.timestampNs).toBe(5n);
  });

  it("reads the kit's loki-config.yaml index labels, and refuses ignore_defaults", () => {
    const config = parse(readFileSync(path.join(REPO_ROOT, 'loki-config.yaml'), 'utf8'));
    expect(configuredIndexLabels(config)).toEqual(['deployment.environment.name']);
    expect(() =>
      configuredIndexLabels({ limits_config: { otlp_config: { resource_attributes: { ignore_defaults: true } } } }),
    ).toThrow(/ignore_defaults/);
  });

  it('detected_level from the text, else from the number', () => {
    expect(detectedLevel('WARNING', 0)).toBe('warn');
    expect(detectedLevel('', 10)).toBe('info');
    expect(detectedLevel('', 0)).toBeUndefined();
  });
});

describe('LogQL at the door', () => {
  const entries: StoredLine[] = [
    {
      labels: { service_name: 'items-api' },
      structuredMetadata: { trace_id: traceId, severity_text: 'error' },
      line: 'unhandled error',
    },
    {
      labels: { service_name: 'items-api' },
      structuredMetadata: { trace_id: 'other', severity_text: 'info' },
      line: '{"msg":"request completed","route":"/items"}',
    },
    { labels: { service_name: 'k6' }, structuredMetadata: { trace_id: traceId }, line: 'x' },
  ];

  it('stream matchers are anchored; label filters read structured metadata', () => {
    expect(select(`{service_name=~"items"} | trace_id="${traceId}"`, entries)).toHaveLength(0);
    expect(select(`{service_name=~".+"} | trace_id="${traceId}"`, entries)).toHaveLength(2);
    expect(select(`{service_name="items-api"} | severity_text=~"(?i)ERROR"`, entries)).toEqual([entries[0]]);
  });

  it('line filters are substrings or unanchored regexes; json extracts fields', () => {
    expect(select('{service_name="items-api"} |= "request" != "error"', entries)).toEqual([entries[1]]);
    expect(select('{service_name="items-api"} |~ "unhandled"', entries)).toEqual([entries[0]]);
    expect(select('{service_name="items-api"} | json | route="/items"', entries)).toEqual([entries[1]]);
  });

  it('a metric query selects the records of its log range', () => {
    expect(select('sum by (severity_text) (count_over_time({service_name="items-api"}[15s]))', entries)).toHaveLength(
      2,
    );
    expect(parseSelection('sum(count_over_time({a="b"} | c!="d" [1m]))').labelNames).toEqual(['a', 'c']);
  });

  it('names what it cannot judge instead of passing it', () => {
    expect(() => select('{service_name="items-api"} | logfmt', entries)).toThrow(UnsupportedAtDoor);
    expect(() => select('{a="b"', entries)).toThrow(/syntax error/);
    expect(() => select('sum(count_over_time({a="b"}[1m])) / sum(count_over_time({c="d"}[1m]))', entries)).toThrow(
      /2 stream selectors/,
    );
  });

  it('queryLabels: stream labels win over structured metadata of the same name', () => {
    expect(queryLabels({ labels: { a: 'label' }, structuredMetadata: { a: 'meta', b: 'm' }, line: '' })).toEqual({
      a: 'label',
      b: 'm',
    });
  });
});
