// The collector's own metrics (its Prometheus reader on :8888), read straight from the collector
// so the reading does not depend on Prometheus scraping it: what it accepted, refused, failed to
// send, and how full each exporter's sending queue is. Node built-ins only (type stripping).
import { COLLECTOR, SIGNALS } from '../names/external.ts';

export interface CollectorReading {
  version: string;
  accepted: Record<string, number>;
  refused: Record<string, number>;
  /** Per signal, per exporter: items in failed send attempts (cumulative). */
  failed: Record<string, Record<string, number>>;
  /** Per exporter (and data type): batches in the sending queue now, and its capacity. */
  queue: Record<string, { size: number; capacity: number }>;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition, the subset the collector writes: `name{labels} value`. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

export function readCollector(text: string): CollectorReading {
  const samples = parseExposition(text);
  const sum = (name: string) => samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
  const reading: CollectorReading = {
    version: samples.find((s) => s.name === 'target_info')?.labels['service_version'] ?? '',
    accepted: {},
    refused: {},
    failed: {},
    queue: {},
  };
  for (const { key, label } of SIGNALS) {
    reading.accepted[label] = sum(COLLECTOR.receiverAccepted[key]);
    reading.refused[label] = sum(COLLECTOR.receiverRefused[key]);
    reading.failed[label] = Object.fromEntries(
      samples
        .filter((s) => s.name === COLLECTOR.exporterSendFailed[key])
        .map((s) => [s.labels['exporter'] ?? '?', s.value]),
    );
  }
  const queueKey = (s: Sample) =>
    `${s.labels['exporter'] ?? '?'}${s.labels['data_type'] ? ` (${s.labels['data_type']})` : ''}`;
  for (const s of samples.filter((x) => x.name === COLLECTOR.exporterQueueSize))
    reading.queue[queueKey(s)] = { size: s.value, capacity: reading.queue[queueKey(s)]?.capacity ?? 0 };
  for (const s of samples.filter((x) => x.name === COLLECTOR.exporterQueueCapacity))
    reading.queue[queueKey(s)] = { size: reading.queue[queueKey(s)]?.size ?? 0, capacity: s.value };
  return reading;
}

/** What went wrong between two readings: failed sends, refused items, queues that grew. */
export function collectorTrouble(
  before: CollectorReading,
  after: CollectorReading,
): { failed: string[]; queues: string[] } {
  const failed: string[] = [];
  for (const [signal, byExporter] of Object.entries(after.failed))
    for (const [exporter, n] of Object.entries(byExporter)) {
      const grown = n - (before.failed[signal]?.[exporter] ?? 0);
      if (grown > 0) failed.push(`${exporter} failed to send ${grown} ${signal}`);
    }
  for (const [signal, n] of Object.entries(after.refused)) {
    const grown = n - (before.refused[signal] ?? 0);
    if (grown > 0) failed.push(`receivers refused ${grown} ${signal}`);
  }
  const queues: string[] = [];
  for (const [exporter, q] of Object.entries(after.queue)) {
    const was = before.queue[exporter]?.size ?? 0;
    // A batch or two in flight is normal under load; a queue that keeps filling is not.
    if (q.size - was >= 2 || (q.capacity > 0 && q.size >= q.capacity / 2))
      queues.push(`${exporter} queue ${was} -> ${q.size} of ${q.capacity}`);
  }
  return { failed, queues };
}
