// The real scheduler as the hostile-AWS tests run it: one concurrency slot (a call that never ends
// would starve every other collector), two attempts with no backoff wait, silent logs, and a
// metric sum over the process-wide meter for the assertions.
import pino from 'pino';
import { collectMetrics } from '../../../kit/testing/otel';
import type { CircuitBreakers } from '../circuit-breaker';
import type { InventoryCollector } from '../collectors/types';
import { createMetrics } from '../metrics';
import { Scheduler, type SchedulerDeps } from '../scheduler';
import type { InventoryState } from '../state';

export function fastScheduler(deps: {
  collectors: InventoryCollector[];
  regions: string[];
  clients: SchedulerDeps['clients'];
  breakers: CircuitBreakers;
  state: InventoryState;
}): Scheduler {
  return new Scheduler({
    ...deps,
    collectors: deps.collectors.map((collector) => ({ collector, intervalMs: 60_000 })),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    metrics: createMetrics(deps.state),
    logger: pino({ level: 'silent' }),
    maxConcurrency: 1,
    sleep: () => Promise.resolve(),
  });
}

/** The sum of a counter's points whose attributes include `attributes`. */
export async function counterTotal(metric: string, attributes: Record<string, string>): Promise<number> {
  let total = 0;
  for (const scope of (await collectMetrics()).scopeMetrics)
    for (const m of scope.metrics)
      if (m.descriptor.name === metric)
        for (const p of m.dataPoints)
          if (Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)) total += p.value as number;
  return total;
}
