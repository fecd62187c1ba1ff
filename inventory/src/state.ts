import type { ErrorKind } from './errors';
import type { Resource } from './collectors/types';

/** One counted series of `aws_resources`. */
export interface ResourceSeries {
  kind: string;
  state: string;
  type: string;
  region: string;
  count: number;
}

export interface CollectorStatus {
  collector: string;
  /** `global` for a collector that covers every region at once (S3). */
  region: string;
  status: 'pending' | 'ok' | 'failed';
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  lastDurationMs?: number;
  lastErrorKind?: ErrorKind;
  lastError?: string;
}

/**
 * What the inventory knows: the newest successful count of every collector and region (a
 * failure keeps the previous count; the last-success timestamp shows how old it is), and each
 * collector's last status for /health and /ready.
 */
export class InventoryState {
  private readonly counts = new Map<string, ResourceSeries[]>();
  private readonly statuses = new Map<string, CollectorStatus>();

  constructor(expected: { collector: string; region: string }[]) {
    for (const { collector, region } of expected)
      this.statuses.set(key(collector, region), { collector, region, status: 'pending' });
  }

  recordSuccess(
    collector: string,
    region: string,
    kind: string,
    resources: Resource[],
    durationMs: number,
    at: Date,
  ): void {
    const series = new Map<string, ResourceSeries>();
    // A combination seen before and gone now is reported as 0, not left out: remote write sends
    // no staleness marker, so a series that simply stops would show its last count for minutes.
    for (const previous of this.counts.get(key(collector, region)) ?? []) {
      series.set(`${previous.region}\u0000${previous.state}\u0000${previous.type}`, { ...previous, count: 0 });
    }
    for (const r of resources) {
      const k = `${r.region}\u0000${r.state}\u0000${r.type}`;
      const s = series.get(k) ?? { kind, state: r.state, type: r.type, region: r.region, count: 0 };
      s.count += 1;
      series.set(k, s);
    }
    this.counts.set(key(collector, region), [...series.values()]);
    this.statuses.set(key(collector, region), {
      collector,
      region,
      status: 'ok',
      lastSuccessAt: at.toISOString(),
      lastAttemptAt: at.toISOString(),
      lastDurationMs: durationMs,
    });
  }

  recordFailure(
    collector: string,
    region: string,
    kind: ErrorKind,
    message: string,
    durationMs: number,
    at: Date,
  ): void {
    const previous = this.statuses.get(key(collector, region));
    this.statuses.set(key(collector, region), {
      collector,
      region,
      status: 'failed',
      ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
      lastAttemptAt: at.toISOString(),
      lastDurationMs: durationMs,
      lastErrorKind: kind,
      lastError: message.slice(0, 300),
    });
  }

  resourceSeries(): ResourceSeries[] {
    return [...this.counts.values()].flat();
  }

  collectorStatuses(): CollectorStatus[] {
    return [...this.statuses.values()];
  }

  /** Ready once every collector has finished its first collection in every region, failed or not. */
  ready(): boolean {
    return this.collectorStatuses().every((s) => s.status !== 'pending');
  }
}

function key(collector: string, region: string): string {
  return `${collector}\u0000${region}`;
}
