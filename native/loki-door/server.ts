// Loki's door: an HTTP server on Loki's address that takes exactly what the collector's
// otlphttp/loki exporter sends to /otlp/v1/logs, decodes it and keeps it for the e2e, mapped as
// Loki would store it. It stands in for Loki in the native harness because Loki itself (AGPL)
// may not be built or run here; it answers like Loki's OTLP endpoint (200 with an empty
// ExportLogsServiceResponse) so the collector's queue and retries behave as they would.
//   GET  /ready          200 once listening
//   POST /otlp/v1/logs   OTLP/HTTP logs, protobuf or JSON
//   GET  /door/records   every record so far: { records: [{ otlp, loki }], dropped, requests };
//                        ?trace_id=<hex> keeps only that trace's records; ?attr.<name>=<value> only
//                        records with that log attribute; ?body=<text> only that body; &count=1
//                        answers { count } without the records
//   GET  /door/select    ?query=<LogQL>&limit=N: the records the query selects under Loki's mapping
//                        (logql.ts): { count, entries: [{ labels, line, timestampNs }] } with the
//                        newest N entries, labels as a query sees them; 422 naming a query part
//                        the door cannot judge
//   POST /door/outage    { "seconds": N }: answer 503 for N seconds (fault tests)
//   POST /door/slow      { "ms": M, "seconds": N }: hold every answer M ms for N seconds (fault tests)
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type OtlpLogRecord, decodeLogsRequest } from './otlp-logs.ts';
import { type LokiEntry, queryLabels, stringify, toLokiEntry } from './loki-mapping.ts';
import { UnsupportedAtDoor, select } from './logql.ts';
import { DOOR_RECORDS_PATH, DOOR_SELECT_PATH } from '../../kit/checks/logs.ts';

export const OTLP_LOGS_PATH = '/otlp/v1/logs';
export const RECORDS_PATH = DOOR_RECORDS_PATH;

export interface DoorRecord {
  otlp: Omit<OtlpLogRecord, 'timeUnixNano' | 'observedTimeUnixNano'> & {
    timeUnixNano: string;
    observedTimeUnixNano: string;
  };
  loki: Omit<LokiEntry, 'timestampNs'> & { timestampNs: string };
}

export interface DoorOptions {
  /** Resource attributes the kit's Loki indexes beyond its defaults (see configuredIndexLabels). */
  extraIndexLabels: readonly string[];
  /** Records kept; older ones are dropped (and counted) beyond it, so memory stays bounded. */
  maxRecords: number;
  /** Bytes accepted per request (Loki's default grpc/http limit is in this range). */
  maxBodyBytes: number;
}

const MAX_BODY_DEFAULT = 16 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function serialize(record: OtlpLogRecord, extraIndexLabels: readonly string[]): DoorRecord {
  const loki = toLokiEntry(record, extraIndexLabels);
  return {
    otlp: {
      ...record,
      body: record.body,
      timeUnixNano: String(record.timeUnixNano),
      observedTimeUnixNano: String(record.observedTimeUnixNano),
    },
    loki: { ...loki, timestampNs: String(loki.timestampNs) },
  };
}

export function createDoor(options: Partial<DoorOptions> = {}): {
  server: Server;
  records: DoorRecord[];
  stats: { dropped: number; requests: number; rejected: number };
} {
  const maxRecords = options.maxRecords ?? 500_000;
  const maxBody = options.maxBodyBytes ?? MAX_BODY_DEFAULT;
  const records: DoorRecord[] = [];
  const stats = { dropped: 0, requests: 0, rejected: 0 };
  let outageUntil = 0;
  let slowUntil = 0;
  let slowMs = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && route === '/ready')
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
    if (req.method === 'GET' && route === RECORDS_PATH) {
      const params = new URL(req.url ?? '', 'http://door').searchParams;
      const traceId = params.get('trace_id')?.toLowerCase();
      const body = params.get('body');
      const attributes = [...params]
        .filter(([key]) => key.startsWith('attr.'))
        .map(([key, value]) => [key.slice('attr.'.length), value] as const);
      const selected = records.filter(
        (r) =>
          (!traceId || r.otlp.traceId === traceId) &&
          (body === null || r.otlp.body === body) &&
          attributes.every(([name, value]) => {
            const attribute = r.otlp.attributes[name];
            return attribute !== undefined && stringify(attribute) === value;
          }),
      );
      if (params.get('count') === '1') return json(res, 200, { count: selected.length, dropped: stats.dropped });
      return json(res, 200, {
        records: selected,
        dropped: stats.dropped,
        requests: stats.requests,
        rejected: stats.rejected,
      });
    }
    if (req.method === 'GET' && route === DOOR_SELECT_PATH) {
      const params = new URL(req.url ?? '', 'http://door').searchParams;
      const limit = Math.min(Math.max(Number(params.get('limit') ?? 100) || 100, 1), 5_000);
      try {
        const selected = select(
          params.get('query') ?? '',
          records.map((r) => r.loki),
        );
        const entries = selected
          .slice(-limit)
          .reverse()
          .map((e) => ({ labels: queryLabels(e), line: e.line, timestampNs: e.timestampNs }));
        return json(res, 200, { count: selected.length, entries });
      } catch (error) {
        if (error instanceof UnsupportedAtDoor)
          return json(res, 422, { error: `the door cannot judge this LogQL: ${error.message}` });
        return json(res, 400, { error: (error as Error).message });
      }
    }
    if (req.method === 'POST' && route === '/door/outage') {
      void readBody(req, 1024).then(
        (b) => {
          const seconds = Number((JSON.parse(b.toString() || '{}') as { seconds?: unknown }).seconds);
          if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600)
            return json(res, 400, { error: 'seconds must be 0..600' });
          outageUntil = Date.now() + seconds * 1000;
          json(res, 200, { outageUntil });
        },
        () => json(res, 400, { error: 'bad body' }),
      );
      return;
    }
    if (req.method === 'POST' && route === '/door/slow') {
      void readBody(req, 1024).then(
        (b) => {
          const { ms, seconds } = JSON.parse(b.toString() || '{}') as { ms?: unknown; seconds?: unknown };
          if (
            !Number.isFinite(Number(ms)) ||
            Number(ms) < 0 ||
            Number(ms) > 60_000 ||
            !Number.isFinite(Number(seconds)) ||
            Number(seconds) < 0 ||
            Number(seconds) > 600
          ) {
            return json(res, 400, { error: 'ms must be 0..60000 and seconds 0..600' });
          }
          slowMs = Number(ms);
          slowUntil = Date.now() + Number(seconds) * 1000;
          json(res, 200, { slowUntil, slowMs });
        },
        () => json(res, 400, { error: 'bad body' }),
      );
      return;
    }
    if (req.method === 'POST' && route === OTLP_LOGS_PATH) {
      stats.requests++;
      if (Date.now() < outageUntil) {
        stats.rejected++;
        return json(res, 503, { error: 'door closed for an outage test' });
      }
      readBody(req, maxBody)
        .then((raw) => {
          const body = /gzip/i.test(String(req.headers['content-encoding'] ?? '')) ? gunzipSync(raw) : raw;
          const decoded = decodeLogsRequest(body, String(req.headers['content-type'] ?? 'application/x-protobuf'));
          for (const record of decoded) records.push(serialize(record, options.extraIndexLabels ?? []));
          if (records.length > maxRecords) stats.dropped += records.splice(0, records.length - maxRecords).length;
          // An empty ExportLogsServiceResponse: zero bytes in protobuf, {} in JSON.
          const answer = () => {
            if (/json/i.test(String(req.headers['content-type'] ?? ''))) json(res, 200, {});
            else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          };
          // A slow backend: the records are in, the answer comes late (the exporter waits).
          if (Date.now() < slowUntil) setTimeout(answer, slowMs);
          else answer();
        })
        .catch((error: unknown) => {
          stats.rejected++;
          // 400 is permanent for the otlphttp exporter: a malformed payload is not retried forever.
          json(res, 400, { error: `cannot decode OTLP logs: ${(error as Error).message}` });
        });
      return;
    }
    json(res, 404, { error: `no route ${req.method} ${route}` });
  });
  return { server, records, stats };
}
