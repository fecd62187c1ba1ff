// OTLP/HTTP logs as the collector's otlphttp exporter sends them: protobuf (its default) or
// JSON, decoded with protobufjs from the official .proto files (proto/, opentelemetry-proto
// v1.11.0, Apache-2.0) into plain records.
import path from 'node:path';
import protobuf from 'protobufjs';
import { REPO_ROOT } from '../../kit/layout.ts';

export type AnyValue = string | number | boolean | null | AnyValue[] | { [key: string]: AnyValue } | Uint8Array;

export interface OtlpLogRecord {
  resource: Record<string, AnyValue>;
  scope: { name: string; version: string; attributes: Record<string, AnyValue> };
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: Record<string, AnyValue>;
  /** Lowercase hex; empty when the record has no trace context. */
  traceId: string;
  spanId: string;
  flags: number;
  eventName: string;
}

let requestType: protobuf.Type | undefined;
function exportLogsServiceRequest(): protobuf.Type {
  if (!requestType) {
    const root = new protobuf.Root();
    const protoDir = path.join(REPO_ROOT, 'native', 'loki-door', 'proto');
    // Imports in the .proto files are relative to proto/ (opentelemetry/proto/...).
    root.resolvePath = (_origin, target) => path.join(protoDir, target);
    root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', { keepCase: false });
    requestType = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  }
  return requestType;
}

interface WireAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: WireAnyValue[] };
  kvlistValue?: { values?: WireKeyValue[] };
  bytesValue?: string;
}
interface WireKeyValue {
  key: string;
  value?: WireAnyValue;
}
interface WireRequest {
  resourceLogs?: {
    resource?: { attributes?: WireKeyValue[] };
    scopeLogs?: {
      scope?: { name?: string; version?: string; attributes?: WireKeyValue[] };
      logRecords?: {
        timeUnixNano?: string | number;
        observedTimeUnixNano?: string | number;
        severityNumber?: number | string;
        severityText?: string;
        body?: WireAnyValue;
        attributes?: WireKeyValue[];
        traceId?: string;
        spanId?: string;
        flags?: number;
        eventName?: string;
      }[];
    }[];
  }[];
}

function anyValue(v: WireAnyValue | undefined): AnyValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return keyValues(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue, 'base64');
  return null;
}

function keyValues(list: WireKeyValue[] | undefined): Record<string, AnyValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/** OTLP/JSON spells ids in hex; the protobuf path (through toObject with bytes: String) in base64. */
function hexId(id: string | undefined, encoding: 'base64' | 'hex'): string {
  if (!id) return '';
  return encoding === 'hex' ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

const SEVERITY_NUMBERS: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };

function flatten(request: WireRequest, idEncoding: 'base64' | 'hex'): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  for (const rl of request.resourceLogs ?? []) {
    const resource = keyValues(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      const scope = {
        name: sl.scope?.name ?? '',
        version: sl.scope?.version ?? '',
        attributes: keyValues(sl.scope?.attributes),
      };
      for (const r of sl.logRecords ?? []) {
        const severity =
          typeof r.severityNumber === 'string'
            ? (SEVERITY_NUMBERS[r.severityNumber] ?? Number(/(\d+)$/.exec(r.severityNumber)?.[1] ?? 0))
            : (r.severityNumber ?? 0);
        out.push({
          resource,
          scope,
          timeUnixNano: BigInt(r.timeUnixNano ?? 0),
          observedTimeUnixNano: BigInt(r.observedTimeUnixNano ?? 0),
          severityNumber: severity,
          severityText: r.severityText ?? '',
          body: anyValue(r.body),
          attributes: keyValues(r.attributes),
          traceId: hexId(r.traceId, idEncoding),
          spanId: hexId(r.spanId, idEncoding),
          flags: r.flags ?? 0,
          eventName: r.eventName ?? '',
        });
      }
    }
  }
  return out;
}

/** Decodes one POST body; `contentType` picks protobuf or JSON as OTLP/HTTP defines. */
export function decodeLogsRequest(body: Uint8Array, contentType: string): OtlpLogRecord[] {
  if (/json/i.test(contentType)) return flatten(JSON.parse(Buffer.from(body).toString('utf8')) as WireRequest, 'hex');
  const type = exportLogsServiceRequest();
  const message = type.decode(body);
  // longs as strings (nanosecond times exceed 2^53), bytes as base64, enums as numbers.
  const plain = type.toObject(message, { longs: String, bytes: String, enums: Number, defaults: false }) as WireRequest;
  return flatten(plain, 'base64');
}

/** Encodes records back into an OTLP protobuf request (tests use it to feed the door). */
export function encodeLogsRequest(request: object): Uint8Array {
  // fromObject, not verify: it takes the JSON mapping's spellings (64-bit times as decimal
  // strings, bytes as base64), as the decoder gives them back.
  const type = exportLogsServiceRequest();
  return type.encode(type.fromObject(request)).finish();
}
