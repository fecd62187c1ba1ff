import { diag, DiagLogLevel, metrics, trace, type DiagLogger } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { redactUrlCredentials } from '../redacted';
import type { Logger } from './logger';

type Flushable = { forceFlush?: () => Promise<unknown> };

/**
 * The SDK providers behind the API globals, found by duck typing so app code needs only the
 * API packages. The tracer provider global is a proxy; its delegate is the SDK provider.
 */
function sdkProviders(): Flushable[] {
  const tracerProvider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  return [
    tracerProvider.getDelegate?.() ?? tracerProvider,
    metrics.getMeterProvider(),
    logs.getLoggerProvider(),
  ] as Flushable[];
}

/**
 * Exports whatever spans, metrics and log records are buffered. Bounded: with no collector the
 * exporters would otherwise retry past any sensible shutdown window. Resolves to true when
 * every provider finished in time.
 */
export async function flushTelemetry(timeoutMs: number): Promise<boolean> {
  const flushes = sdkProviders().map((p) =>
    typeof p.forceFlush === 'function' ? p.forceFlush().catch(() => undefined) : Promise.resolve(),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.all(flushes).then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

// Export failures name the endpoint or the socket error; matching them lets us warn once
// instead of printing a stack trace for every batch while no collector is listening.
const EXPORT_FAILURE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up|fetch failed|export|Timeout/i;
const EXPORT_WARNING_INTERVAL_MS = 5 * 60_000;

function describe(args: unknown[]): string {
  // An exporter's message may name its endpoint, userinfo included.
  return redactUrlCredentials(
    args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' '),
  ).slice(0, 500);
}

/**
 * Routes the SDK's own diagnostics (warn and above) into the service log, replacing the
 * preload's console logger. Export failures become one clear warning per five minutes;
 * other messages are logged once each.
 */
export function routeSdkDiagnostics(logger: Logger, exportEndpoint: string): void {
  let lastExportWarning = -Infinity;
  const seen = new Set<string>();
  const emit = (level: 'warn' | 'error', message: string, args: unknown[]) => {
    const text = describe([message, ...args]);
    if (EXPORT_FAILURE.test(text)) {
      const now = Date.now();
      if (now - lastExportWarning < EXPORT_WARNING_INTERVAL_MS) return;
      lastExportWarning = now;
      logger.warn(
        { otel_diagnostic: text, otlp_endpoint: redactUrlCredentials(exportEndpoint) },
        'telemetry export is failing (is the collector running?); the service keeps serving and will warn again in 5 minutes if it still fails',
      );
      return;
    }
    if (seen.has(text) || seen.size > 100) return;
    seen.add(text);
    logger[level]({ otel_diagnostic: text }, 'OpenTelemetry SDK diagnostic');
  };
  const sink: DiagLogger = {
    error: (message, ...args) => emit('error', message, args),
    warn: (message, ...args) => emit('warn', message, args),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(sink, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
