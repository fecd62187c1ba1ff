import { ROOT_CONTEXT, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RegionClients } from './aws-clients';
import type { CircuitBreakers } from './circuit-breaker';
import type { AwsCall, InventoryCollector } from './collectors/types';
import { redactUrlCredentials } from '../../kit/redacted';
import { classifyError } from './errors';
import { createLimiter } from './limiter';
import type { InventoryMetrics } from './metrics';
import * as names from '../../kit/names/inventory';
import { withRetry, type RetryPolicy } from './retry';
import { TYPE_OVERFLOW, type InventoryState } from './state';

export interface ScheduledCollector {
  collector: InventoryCollector;
  intervalMs: number;
}

export interface SchedulerDeps {
  collectors: ScheduledCollector[];
  regions: string[];
  clients: (region: string) => RegionClients;
  breakers: CircuitBreakers;
  retry: RetryPolicy;
  state: InventoryState;
  metrics: InventoryMetrics;
  logger: Logger;
  maxConcurrency: number;
  /** Injected in unit tests to skip backoff waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** The regions a collector covers in one cycle: every configured one, or the first for a global service. */
export function regionsFor(collector: InventoryCollector, regions: string[]): { region: string; label: string }[] {
  return collector.scope === 'global'
    ? [{ region: regions[0]!, label: 'global' }]
    : regions.map((r) => ({ region: r, label: r }));
}

/**
 * Runs each collector on its own interval. One cycle of a collector (all its regions) is one
 * trace: a root span, a child per region, and under it one span per AWS call from ADOT's aws-sdk
 * instrumentation. Cycles of one collector never overlap (the next is scheduled when one ends);
 * region collections across collectors share a concurrency bound. Nothing a collector throws
 * leaves a cycle: it is classified, counted and reported in /health.
 */
export class Scheduler {
  private readonly tracer = trace.getTracer(names.INSTRUMENTATION_SCOPE);
  private readonly limit: ReturnType<typeof createLimiter>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  /** Errors already counted where they happened (an AWS call's attempts); the rest are counted once a collection fails. */
  private readonly counted = new WeakSet<object>();
  private stopping = false;

  private readonly deps: SchedulerDeps;

  constructor(deps: SchedulerDeps) {
    this.deps = deps;
    this.limit = createLimiter(deps.maxConcurrency);
  }

  start(): void {
    for (const scheduled of this.deps.collectors) this.schedule(scheduled, 0);
  }

  /** Stops scheduling and waits (bounded) for the cycles in flight. Resolves true when they all finished. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([Promise.all([...this.running]).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(scheduled: ScheduledCollector, delayMs: number): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const cycle = this.runCycle(scheduled.collector).finally(() => {
        this.running.delete(cycle);
        this.schedule(scheduled, scheduled.intervalMs);
      });
      this.running.add(cycle);
    }, delayMs);
    this.timers.add(timer);
  }

  /** One collection cycle of one collector, as its own trace. Never rejects. */
  async runCycle(collector: InventoryCollector): Promise<void> {
    const targets = regionsFor(collector, this.deps.regions);
    await this.tracer.startActiveSpan(
      names.SPAN_CYCLE,
      { root: true, attributes: { [names.SPAN_ATTR_COLLECTOR]: collector.name } },
      ROOT_CONTEXT,
      async (cycleSpan) => {
        try {
          const outcomes = await Promise.all(
            targets.map((target) => this.limit(() => this.collectRegion(collector, target.region, target.label))),
          );
          const failed = outcomes.filter((ok) => !ok).length;
          if (failed > 0)
            cycleSpan.setStatus({
              code: SpanStatusCode.ERROR,
              message: `${failed} of ${targets.length} regions failed`,
            });
        } finally {
          cycleSpan.end();
        }
      },
    );
  }

  private collectRegion(collector: InventoryCollector, region: string, regionLabel: string): Promise<boolean> {
    const { state, metrics, logger } = this.deps;
    const attributes = { [names.SPAN_ATTR_COLLECTOR]: collector.name, [names.SPAN_ATTR_REGION]: regionLabel };
    return this.tracer.startActiveSpan(names.SPAN_COLLECT, { attributes }, async (span) => {
      const started = performance.now();
      const elapsedMs = () => Math.round(performance.now() - started);
      try {
        const resources = await collector.collect({
          region,
          clients: this.deps.clients(region),
          call: this.awsCall(collector, region, regionLabel, span),
        });
        span.setAttribute(names.SPAN_ATTR_RESOURCE_COUNT, resources.length);
        const { foldedCombinations } = state.recordSuccess(
          collector.name,
          regionLabel,
          collector.kind,
          resources,
          elapsedMs(),
          new Date(),
        );
        if (foldedCombinations > 0)
          logger.warn(
            {
              collector: collector.name,
              region: regionLabel,
              folded_combinations: foldedCombinations,
              max_series: state.maxSeries,
            },
            `${names.METRIC_RESOURCES} series cap reached: new state/type combinations are counted under type="${TYPE_OVERFLOW}" (raise maxSeries in the config file to see them)`,
          );
        metrics.duration(collector.name, regionLabel, elapsedMs() / 1000, true);
        logger.info(
          {
            collector: collector.name,
            region: regionLabel,
            resource_count: resources.length,
            duration_ms: elapsedMs(),
          },
          'collection finished',
        );
        return true;
      } catch (error) {
        const kind = classifyError(error);
        // A failure outside an AWS call (an answer without its list, a collector's own bug) is
        // counted too: every failed collection shows in inventory_collection_errors.
        if (!(error instanceof Object && this.counted.has(error))) metrics.errors(collector.name, regionLabel, kind);
        // An SDK or socket message may name the endpoint, userinfo included: never past this point.
        const message = redactUrlCredentials(
          error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        );
        span.recordException(
          error instanceof Error
            ? {
                name: error.name,
                message: redactUrlCredentials(error.message),
                stack: redactUrlCredentials(error.stack ?? ''),
              }
            : new Error(message),
        );
        span.setAttribute(names.SPAN_ATTR_ERROR_KIND, kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        state.recordFailure(collector.name, regionLabel, kind, message, elapsedMs(), new Date());
        metrics.duration(collector.name, regionLabel, elapsedMs() / 1000, false);
        logger.warn(
          { collector: collector.name, region: regionLabel, error_kind: kind, err: message, duration_ms: elapsedMs() },
          'collection failed',
        );
        return false;
      } finally {
        span.end();
      }
    });
  }

  /** Every AWS call of a collector: circuit breaker per service and region, retry inside it, each failure counted. */
  private awsCall(collector: InventoryCollector, region: string, regionLabel: string, span: Span): AwsCall {
    const { breakers, retry, metrics, logger } = this.deps;
    return (operation, send) =>
      breakers
        .run(`${collector.service}:${region}`, () =>
          withRetry(send, retry, {
            sleep: this.deps.sleep,
            onFailure: (kind, attempt, willRetry) => {
              metrics.errors(collector.name, regionLabel, kind);
              if (willRetry) metrics.retried(collector.name, regionLabel, kind);
              span.addEvent('aws.call.failed', {
                'aws.operation': operation,
                [names.SPAN_ATTR_ERROR_KIND]: kind,
                [names.SPAN_ATTR_ATTEMPT]: attempt,
                'inventory.will_retry': willRetry,
              });
              if (willRetry)
                logger.info(
                  { collector: collector.name, region: regionLabel, operation, error_kind: kind, attempt },
                  'aws call failed, retrying',
                );
            },
          }),
        )
        .catch((error: unknown) => {
          // A refused call never reached AWS: count it here, as withRetry never saw it.
          if (classifyError(error) === 'circuit_open') metrics.errors(collector.name, regionLabel, 'circuit_open');
          if (error instanceof Object) this.counted.add(error);
          throw error;
        });
  }
}
