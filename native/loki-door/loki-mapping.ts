// Loki's documented mapping of an OTLP log record into its own model, written once so the door
// can show what Loki would store and the e2e can check Grafana's links against it.
// Source: "Ingesting logs to Loki using OpenTelemetry Collector", section "Format considerations",
// https://grafana.com/docs/loki/latest/send-data/otel/ (Loki 3.x, default limits_config):
// - index labels: only these resource attributes, dots turned into underscores;
//   service_name is "unknown_service" when the resource has no service.name;
// - structured metadata: every other resource attribute, the scope's name, version and
//   attributes, the record's attributes, trace_id, span_id, severity_text, severity_number, flags;
// - the log line: the body (a string as is; anything else as JSON);
// - names: non-alphanumeric characters become "_" (so "http.route" is "http_route");
// - detected_level (structured metadata, discover_log_levels on by default in Loki 3): from
//   severity_text, else from severity_number.
import type { AnyValue, OtlpLogRecord } from './otlp-logs.ts';

const DEFAULT_INDEX_LABEL_ATTRIBUTES = [
  'cloud.availability_zone',
  'cloud.region',
  'container.name',
  'deployment.environment',
  'deployment.environment.name',
  'k8s.cluster.name',
  'k8s.container.name',
  'k8s.cronjob.name',
  'k8s.daemonset.name',
  'k8s.deployment.name',
  'k8s.job.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.replicaset.name',
  'k8s.statefulset.name',
  'service.instance.id',
  'service.name',
  'service.namespace',
] as const;

export interface LokiEntry {
  /** Stream (index) labels. */
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  line: string;
  timestampNs: bigint;
}

/** What a query reads of an entry (the timestamp aside). */
export type StoredLine = Pick<LokiEntry, 'labels' | 'structuredMetadata' | 'line'>;

function lokiName(attribute: string): string {
  return attribute.replace(/[^A-Za-z0-9_]/g, '_');
}

/** An attribute value as Loki writes it into a label or structured metadata. */
export function stringify(value: AnyValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value);
}

/** Nested maps flatten with "_" between the keys, as Loki does. */
function addFlattened(into: Record<string, string>, key: string, value: AnyValue): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(value)) addFlattened(into, `${key}_${lokiName(k)}`, v);
    return;
  }
  if (value === null) return;
  into[key] = stringify(value);
}

const LEVELS_BY_NUMBER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export function detectedLevel(severityText: string, severityNumber: number): string | undefined {
  const text = severityText.trim().toLowerCase();
  if (text) return text === 'warning' ? 'warn' : text;
  if (severityNumber >= 1 && severityNumber <= 24) return LEVELS_BY_NUMBER[Math.floor((severityNumber - 1) / 4)];
  return undefined;
}

/**
 * The resource attributes loki-config.yaml adds as index labels
 * (limits_config.otlp_config.resource_attributes.attributes_config, action index_label), so the
 * door maps records exactly as the kit's Loki would. `ignore_defaults` is refused: the mapping
 * here assumes Loki's defaults stay.
 */
export function configuredIndexLabels(lokiConfig: unknown): string[] {
  const otlp = (
    lokiConfig as {
      limits_config?: {
        otlp_config?: {
          resource_attributes?: {
            ignore_defaults?: boolean;
            attributes_config?: { action?: string; attributes?: string[] }[];
          };
        };
      };
    }
  )?.limits_config?.otlp_config?.resource_attributes;
  if (otlp?.ignore_defaults)
    throw new Error("loki-config.yaml sets ignore_defaults: the door maps records with Loki's default index labels");
  return (otlp?.attributes_config ?? []).filter((a) => a.action === 'index_label').flatMap((a) => a.attributes ?? []);
}

export function toLokiEntry(record: OtlpLogRecord, extraIndexLabels: readonly string[] = []): LokiEntry {
  const labels: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  const indexed = new Set<string>([...DEFAULT_INDEX_LABEL_ATTRIBUTES, ...extraIndexLabels]);
  for (const [key, value] of Object.entries(record.resource)) {
    addFlattened(indexed.has(key) ? labels : metadata, lokiName(key), value);
  }
  labels.service_name ??= 'unknown_service';
  if (record.scope.name) metadata.scope_name = record.scope.name;
  if (record.scope.version) metadata.scope_version = record.scope.version;
  for (const [key, value] of Object.entries(record.scope.attributes)) addFlattened(metadata, lokiName(key), value);
  for (const [key, value] of Object.entries(record.attributes)) addFlattened(metadata, lokiName(key), value);
  if (record.traceId) metadata.trace_id = record.traceId;
  if (record.spanId) metadata.span_id = record.spanId;
  if (record.severityText) metadata.severity_text = record.severityText;
  if (record.severityNumber) metadata.severity_number = String(record.severityNumber);
  if (record.flags) metadata.flags = String(record.flags);
  const level = detectedLevel(record.severityText, record.severityNumber);
  if (level) metadata.detected_level = level;
  const timestampNs = record.timeUnixNano !== 0n ? record.timeUnixNano : record.observedTimeUnixNano;
  return {
    labels,
    structuredMetadata: metadata,
    line: record.body === null ? '' : stringify(record.body),
    timestampNs,
  };
}

/**
 * The labels a query sees for one entry: stream labels, then structured metadata (Grafana's
 * derived fields with matcherType "label" and LogQL label filters both read this one set).
 */
export function queryLabels(entry: StoredLine): Record<string, string> {
  return { ...entry.structuredMetadata, ...entry.labels };
}
