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

/** The `type` of resources whose own type did not fit under the series cap. */
export const TYPE_OVERFLOW = 'other';

export interface SeriesLimits {
  /**
   * Series of `aws_resources` kept at once, across collectors. The metrics SDK keeps at most
   * 2,000 points per instrument and sends the rest to otel.metric.overflow, where the counts
   * vanish: the cap stays below that, and what does not fit is counted under type="other".
   */
  maxSeries: number;
  /** How long a combination that is gone is still reported as 0 before it is forgotten. */
  staleSeriesMs: number;
}

export const DEFAULT_SERIES_LIMITS: SeriesLimits = { maxSeries: 1_000, staleSeriesMs: 15 * 60_000 };

/** What one successful collection did to the series: how many combinations went to type="other". */
export interface RecordOutcome {
  foldedCombinations: number;
}

type KeptSeries = ResourceSeries & { lastSeenAt: number };

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
  private readonly counts = new Map<string, KeptSeries[]>();
  private readonly statuses = new Map<string, CollectorStatus>();

  private readonly limits: SeriesLimits;

  constructor(expected: { collector: string; region: string }[], limits: SeriesLimits = DEFAULT_SERIES_LIMITS) {
    this.limits = limits;
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
  ): RecordOutcome {
    const now = at.getTime();
    const series = new Map<string, KeptSeries>();
    // A combination seen before and gone now is reported as 0, not left out: remote write sends
    // no staleness marker, so a series that simply stops would show its last count for minutes.
    // After staleSeriesMs at 0 it is forgotten, so the set does not grow with every type ever seen.
    for (const previous of this.counts.get(key(collector, region)) ?? []) {
      if (now - previous.lastSeenAt > this.limits.staleSeriesMs) continue;
      series.set(seriesKey(previous.region, previous.state, previous.type), { ...previous, count: 0 });
    }
    const budget =
      this.limits.maxSeries - (this.seriesCount() - (this.counts.get(key(collector, region))?.length ?? 0));
    const folded = new Set<string>();
    for (const r of resources) {
      let k = seriesKey(r.region, r.state, r.type);
      let type = r.type;
      if (!series.has(k) && series.size >= budget) {
        folded.add(k);
        type = TYPE_OVERFLOW;
        k = seriesKey(r.region, r.state, type);
      }
      const s = series.get(k) ?? { kind, state: r.state, type, region: r.region, count: 0, lastSeenAt: now };
      s.count += 1;
      s.lastSeenAt = now;
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
    return { foldedCombinations: folded.size };
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
    return [...this.counts.values()].flat().map(({ lastSeenAt: _lastSeenAt, ...series }) => series);
  }

  get maxSeries(): number {
    return this.limits.maxSeries;
  }

  private seriesCount(): number {
    let n = 0;
    for (const list of this.counts.values()) n += list.length;
    return n;
  }

  collectorStatuses(): CollectorStatus[] {
    return [...this.statuses.values()];
  }

  /** Ready once every collector has finished its first collection in every region, failed or not. */
  ready(): boolean {
    return this.collectorStatuses().every((s) => s.status !== 'pending');
  }
}

function seriesKey(region: string, state: string, type: string): string {
  return `${region}\u0000${state}\u0000${type}`;
}

function key(collector: string, region: string): string {
  return `${collector}\u0000${region}`;
}
