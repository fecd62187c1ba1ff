// Must stay the first import: registers the SDK and instrumentations before express loads.
import {
  collectMetrics,
  expressInstrumentation,
  logExporter,
  resetTelemetry,
  spanExporter,
} from '../../kit/testing/otel';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createApp } from './app';
import { createHttpServer } from '../../kit/node/http/server';
import { recordRejection } from './http/request-telemetry';
import { createRequestMetrics } from './telemetry/metrics';
import { testConfig } from './config';
import { createLogger } from '../../kit/node/logger';
import { startBackgroundActivity } from './background';
import { isUntracedRequest } from '../../kit/node/preload/untraced-paths';
import { dropExpressLayerSpans } from '../../kit/node/preload/express-layers';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CLASS,
  ATTR_HTTP_ROUTE,
  ATTR_LOADGEN_RUN_ID,
  METRIC_ACTIVE_SIMULATED_USERS,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  METRIC_ITEMS_CREATED,
  METRIC_REQUEST_COUNT,
} from '../../kit/names/service';

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  // A real listening server (not supertest's ephemeral one) so the HTTP instrumentation sees
  // exactly what it sees in production.
  server = createServer(createApp({ config: testConfig(), logger: createLogger('info', { write: () => undefined }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => resetTelemetry());

function serverSpans() {
  return spanExporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
}

describe('traces', () => {
  it('creates one server span per request, named by the route template, with http.route', async () => {
    await fetch(`${baseUrl}/items/3`);
    await fetch(`${baseUrl}/items?limit=2`);
    const spans = serverSpans();
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes['http.route'])).toEqual(['/items/:id', '/items']);
    expect(spans.map((s) => s.name)).toEqual(['GET /items/:id', 'GET /items']);
  });
});

function lastServerSpan() {
  const spans = serverSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

function accessRecords() {
  return logExporter.getFinishedLogRecords().filter((r) => r.body === 'request completed');
}

describe('traces, continued', () => {
  it('marks /crash as ERROR with an exception event on the server span, and returns its ids', async () => {
    const res = await fetch(`${baseUrl}/crash`);
    const body = (await res.json()) as { trace_id: string; xray_trace_id: string; error: { message: string } };
    const span = lastServerSpan();
    expect(res.status).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toContain('simulated crash');
    expect(exception?.attributes?.['exception.stacktrace']).toContain('crash');
    expect(body.trace_id).toBe(span.spanContext().traceId);
    expect(body.xray_trace_id).toBe(`1-${body.trace_id.slice(0, 8)}-${body.trace_id.slice(8)}`);
    expect(body.xray_trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('emits the /crash ERROR log record with the stack inside the server span', async () => {
    await fetch(`${baseUrl}/crash`);
    const span = lastServerSpan();
    const error = logExporter.getFinishedLogRecords().find((r) => r.body === 'unhandled error');
    expect(error?.severityText).toBe('error');
    expect(error?.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(error?.spanContext?.spanId).toBe(span.spanContext().spanId);
    expect(JSON.stringify(error?.attributes)).toContain('simulated crash: the handler threw on purpose');
    expect(JSON.stringify(error?.attributes)).toMatch(/at .*crash/);
  });

  it('writes exactly one error record per /crash: the access record of a failed answer is a warning', async () => {
    await fetch(`${baseUrl}/crash`);
    const records = logExporter.getFinishedLogRecords();
    expect(records.filter((r) => r.severityText === 'error').map((r) => r.body)).toEqual(['unhandled error']);
    expect(records.find((r) => r.body === 'request completed')?.severityText).toBe('warn');
  });

  it('continues an incoming W3C traceparent', async () => {
    const traceId = `${Math.floor(Date.now() / 1000).toString(16)}0123456789abcdef01234567`;
    const parentSpanId = '00f067aa0ba902b7';
    const res = await fetch(`${baseUrl}/crash`, { headers: { traceparent: `00-${traceId}-${parentSpanId}-01` } });
    const body = (await res.json()) as { trace_id: string };
    const span = lastServerSpan();
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(body.trace_id).toBe(traceId);
    expect(accessRecords()[0]?.spanContext?.traceId).toBe(traceId);
  });

  it('continues an incoming X-Amzn-Trace-Id', async () => {
    const res = await fetch(`${baseUrl}/items/1`, {
      headers: { 'X-Amzn-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' },
    });
    expect(res.status).toBe(200);
    expect(lastServerSpan().spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
  });

  it('generates X-Ray compatible trace ids: the first 8 hex are the epoch seconds of now', async () => {
    const before = Math.floor(Date.now() / 1000);
    await fetch(`${baseUrl}/items/1`);
    const after = Math.floor(Date.now() / 1000);
    const epoch = parseInt(lastServerSpan().spanContext().traceId.slice(0, 8), 16);
    expect(epoch).toBeGreaterThanOrEqual(before - 1);
    expect(epoch).toBeLessThanOrEqual(after + 1);
  });

  it('copies baggage run_id onto the server span and the log records, never onto metrics', async () => {
    await fetch(`${baseUrl}/items/2`, { headers: { baggage: 'run_id=run-42,other=x' } });
    expect(lastServerSpan().attributes[ATTR_LOADGEN_RUN_ID]).toBe('run-42');
    const access = accessRecords();
    expect(access).toHaveLength(1);
    expect(access[0]?.attributes.run_id).toBe('run-42');
    const metrics = JSON.stringify((await collectMetrics()).scopeMetrics);
    expect(metrics).not.toContain('run-42');
  });

  it('leaves health checks out of traces (the preload installs this predicate)', () => {
    expect(isUntracedRequest({ url: '/health' })).toBe(true);
    expect(isUntracedRequest({ url: '/health?probe=1' })).toBe(true);
    expect(isUntracedRequest({ url: '/healthz' })).toBe(false);
    expect(isUntracedRequest({ url: '/items' })).toBe(false);
    // Express answers these from the health route too, so they stay out of traces as well.
    expect(isUntracedRequest({ url: '/HEALTH' })).toBe(true);
    expect(isUntracedRequest({ url: '/health/' })).toBe(true);
    expect(isUntracedRequest({ url: '/health//' })).toBe(false);
    expect(isUntracedRequest({ url: '/' })).toBe(false);
  });
});

describe('logs', () => {
  it('writes one access record per request inside the server span, with the agreed fields', async () => {
    await fetch(`${baseUrl}/items/5`);
    const span = lastServerSpan();
    const access = accessRecords();
    expect(access).toHaveLength(1);
    const record = access[0]!;
    expect(record.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(record.spanContext?.spanId).toBe(span.spanContext().spanId);
    expect(record.attributes).toMatchObject({
      http_route: '/items/:id',
      http_request_method: 'GET',
      http_response_status_code: 200,
      duration_ms: expect.any(Number),
      xray_trace_id: `1-${span.spanContext().traceId.slice(0, 8)}-${span.spanContext().traceId.slice(8)}`,
    });
    expect(record.attributes.run_id).toBeUndefined();
  });

  it('gives every record written during a request the trace id of that request', async () => {
    await fetch(`${baseUrl}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"kite","price_cents":1}',
    });
    const traceId = lastServerSpan().spanContext().traceId;
    const records = logExporter.getFinishedLogRecords();
    expect(records.map((r) => r.body)).toEqual(expect.arrayContaining(['item created', 'request completed']));
    for (const record of records) {
      expect(record.spanContext?.traceId).toBe(traceId);
      expect(record.attributes.xray_trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    }
  });
});

type Point = { attributes: Record<string, unknown>; value: unknown };
async function points(name: string): Promise<Point[]> {
  const resourceMetrics = await collectMetrics();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints ?? [];
}

describe('metrics', () => {
  it('counts requests by route, method and status class', async () => {
    await fetch(`${baseUrl}/items/abc`);
    await fetch(`${baseUrl}/items/abc`);
    await fetch(`${baseUrl}/definitely-not-here`);
    const counted = await points(METRIC_REQUEST_COUNT);
    const badId = counted.find(
      (p) => p.attributes[ATTR_HTTP_ROUTE] === '/items/:id' && p.attributes[ATTR_HTTP_RESPONSE_STATUS_CLASS] === '4xx',
    );
    expect(badId?.attributes).toEqual({
      [ATTR_HTTP_ROUTE]: '/items/:id',
      [ATTR_HTTP_REQUEST_METHOD]: 'GET',
      [ATTR_HTTP_RESPONSE_STATUS_CLASS]: '4xx',
    });
    expect(badId?.value).toBe(2);
    // Bounded cardinality: an unmatched URL is counted under a fixed route value, never itself.
    expect(JSON.stringify(counted)).not.toContain('definitely-not-here');
    expect(counted.some((p) => p.attributes[ATTR_HTTP_ROUTE] === 'unmatched')).toBe(true);
  });

  it('counts created items', async () => {
    const before = ((await points(METRIC_ITEMS_CREATED))[0]?.value as number | undefined) ?? 0;
    await fetch(`${baseUrl}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"kite","price_cents":1}',
    });
    expect((await points(METRIC_ITEMS_CREATED))[0]?.value).toBe(before + 1);
  });

  it('records the stable-semconv server duration histogram with http.route', async () => {
    await fetch(`${baseUrl}/items/1`);
    const histogram = await points(METRIC_HTTP_SERVER_REQUEST_DURATION);
    expect(
      histogram.some(
        (p) => p.attributes['http.route'] === '/items/:id' && p.attributes['http.response.status_code'] === 200,
      ),
    ).toBe(true);
  });

  it('observes active_simulated_users while the simulator runs', async () => {
    const stop = startBackgroundActivity(createLogger('silent'), { userSimulator: true, logGenerator: false });
    try {
      const observed = await points(METRIC_ACTIVE_SIMULATED_USERS);
      expect(observed).toHaveLength(1);
      expect(observed[0]?.attributes).toEqual({});
      expect(observed[0]?.value).toBeGreaterThanOrEqual(0);
    } finally {
      stop();
    }
  });
});

describe('Express layer spans off (the preload setting), routes kept', () => {
  it('a request leaves its server span (with http.route) and the store span, and no middleware, router or handler span', async () => {
    const before = expressInstrumentation.getConfig();
    await fetch(`${baseUrl}/items/3`);
    const withLayers = spanExporter.getFinishedSpans().filter((s) => s.attributes['express.type'] !== undefined).length;
    resetTelemetry();
    try {
      expect(
        dropExpressLayerSpans([
          expressInstrumentation as unknown as Parameters<typeof dropExpressLayerSpans>[0][number],
        ]),
      ).toBe(true);
      await fetch(`${baseUrl}/items/3`);
      const spans = spanExporter.getFinishedSpans();
      expect(withLayers, 'the instrumentation made layer spans before').toBeGreaterThan(0);
      expect(spans.filter((s) => s.attributes['express.type'] !== undefined)).toEqual([]);
      const server = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(server?.attributes[ATTR_HTTP_ROUTE]).toBe('/items/:id');
      expect(
        spans.some((s) => s.name.startsWith('store.') && s.parentSpanContext?.spanId === server?.spanContext().spanId),
      ).toBe(true);
    } finally {
      expressInstrumentation.setConfig(before);
    }
    expect(dropExpressLayerSpans([])).toBe(false);
  });
});

describe('rejected and abandoned requests: one status in the span, the access record and request_count', () => {
  let hostile: Server;
  let hostilePort = 0;
  beforeAll(async () => {
    // A slow store, so a request is still in flight when its client goes away.
    const config = testConfig({ store: { latencyMs: 300, latencyJitterMs: 0, seedItems: 5, maxItems: 100 } });
    const logger = createLogger('info', { write: () => undefined });
    const metrics = createRequestMetrics();
    // Wired as index.ts wires it: one set of instruments for the app and the server's own answers.
    hostile = createHttpServer(createApp({ config, logger, metrics }), {
      onRejected: recordRejection(logger, metrics),
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostilePort = (hostile.address() as AddressInfo).port;
    return () => {
      hostile.closeAllConnections();
      return new Promise<void>((resolve) => hostile.close(() => resolve()));
    };
  });

  /** Writes raw bytes; closes the socket at once when `abandon`, else waits (bounded) for the server to close it. */
  async function sendRaw(bytes: string, abandon: boolean): Promise<string> {
    const socket = connect({ host: '127.0.0.1', port: hostilePort });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(bytes);
    if (abandon) setTimeout(() => socket.destroy(), 50);
    const timer = setTimeout(() => socket.destroy(), 3_000);
    await closed;
    clearTimeout(timer);
    return answer;
  }

  /** The server span of the one request sent, once it has ended (bounded wait). */
  async function theServerSpan() {
    for (let i = 0; i < 40 && serverSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    return lastServerSpan();
  }

  /** request_count by status class for a route, summed over methods. */
  async function statusClasses(route: string): Promise<Record<string, number>> {
    const sums: Record<string, number> = {};
    for (const p of await points(METRIC_REQUEST_COUNT)) {
      if (p.attributes[ATTR_HTTP_ROUTE] !== route) continue;
      const cls = String(p.attributes[ATTR_HTTP_RESPONSE_STATUS_CLASS]);
      sums[cls] = (sums[cls] ?? 0) + (p.value as number);
    }
    return sums;
  }

  it('a bad chunk in a body: answered 400, and the span, the access record and request_count all say 400', async () => {
    const before = await statusClasses('/items');
    const answer = await sendRaw(
      'POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      false,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const span = await theServerSpan();
    expect(span.attributes['http.response.status_code']).toBe(400);
    const access = accessRecords();
    expect(access.map((r) => r.attributes.http_response_status_code)).toEqual([400]);
    expect(access[0]?.spanContext?.traceId).toBe(span.spanContext().traceId);
    const after = await statusClasses('/items');
    expect(after['4xx']).toBe((before['4xx'] ?? 0) + 1);
  });

  it.each([
    ['a request line that is not HTTP', 'THIS IS NOT HTTP\r\n\r\n', 400, '_OTHER'],
    ['headers over the limit', `GET /items HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, '_OTHER'],
    [
      'an unsupported Expect',
      'POST /items HTTP/1.1\r\nHost: x\r\nExpect: 100-nonsense\r\nContent-Length: 2\r\n\r\n{}',
      417,
      'POST',
    ],
  ])(
    'answered before the app (%s): a span, an access record and request_count, all with the status',
    async (_name, bytes, status, method) => {
      const before = await statusClasses('unmatched');
      const answer = await sendRaw(bytes, false);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      const span = await theServerSpan();
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.attributes['http.response.status_code']).toBe(status);
      const access = accessRecords();
      expect(access.map((r) => [r.attributes.http_response_status_code, r.attributes.http_request_method])).toEqual([
        [status, method],
      ]);
      expect(access[0]?.spanContext?.traceId).toBe(span.spanContext().traceId);
      const after = await statusClasses('unmatched');
      expect(after['4xx']).toBe((before['4xx'] ?? 0) + 1);
    },
  );

  it('a request target with userinfo (absolute form): the credential reaches no span attribute and no record', async () => {
    await sendRaw('GET http://user:s3cret@x/items/1?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false);
    const span = await theServerSpan();
    expect(JSON.stringify(span.attributes)).not.toContain('s3cret');
    expect(JSON.stringify(logExporter.getFinishedLogRecords().map((r) => r.attributes))).not.toContain('s3cret');
  });

  it('a client that closes its socket right after sending: 499 (client closed request) in all three', async () => {
    const before = await statusClasses('/items/:id');
    await sendRaw('GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n', true);
    const span = await theServerSpan();
    expect(span.attributes['http.response.status_code']).toBe(499);
    await new Promise((r) => setTimeout(r, 50));
    const access = accessRecords();
    expect(access.map((r) => r.attributes.http_response_status_code)).toEqual([499]);
    const after = await statusClasses('/items/:id');
    expect(after['4xx']).toBe((before['4xx'] ?? 0) + 1);
  });
});
