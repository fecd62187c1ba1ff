import { createLogger } from '../../kit/node/logger';
import { flushTelemetry, routeSdkDiagnostics } from '../../kit/node/sdk-lifecycle';
import { redactUrlCredentials } from '../../kit/redacted';
import { clientFactory } from './aws-clients';
import { CircuitBreakers } from './circuit-breaker';
import { COLLECTORS } from './collectors/registry';
import { ConfigError, loadConfig } from './config';
import { createStatusServer } from './http';
import { createMetrics } from './metrics';
import { regionsFor, Scheduler } from './scheduler';
import { InventoryState } from './state';

// package.json's version, read at run time so the compiled file never carries a stale copy
// (from dist/inventory/src/main.js, the repository root, /app in the image).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../../package.json') as { version: string }).version;

function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`aws-inventory: bad configuration:\n${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Without a collector the exporters fail every few seconds: one clear warning, not a stack trace each time.
  if (config.routeSdkDiagnostics) routeSdkDiagnostics(logger, config.otlpEndpoint);
  const collectors = config.collectors.map(({ name, intervalMs }) => ({
    collector: COLLECTORS.find((c) => c.name === name)!,
    intervalMs,
  }));
  const state = new InventoryState(
    collectors.flatMap(({ collector }) =>
      regionsFor(collector, config.regions).map((t) => ({ collector: collector.name, region: t.label })),
    ),
    config.series,
  );
  const breakers = new CircuitBreakers(config.circuitBreaker);
  const scheduler = new Scheduler({
    collectors,
    regions: config.regions,
    clients: clientFactory({
      endpoint: config.endpoint,
      requestTimeoutMs: config.requestTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
    }),
    breakers,
    retry: config.retry,
    state,
    metrics: createMetrics(state),
    logger,
    maxConcurrency: config.maxConcurrency,
  });

  // A bug in one collection must not end the others: log it and keep going.
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection'),
  );

  const server = createStatusServer(state, VERSION, () => breakers.notClosed());
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.fatal({ err: error.message, host: config.host, port: config.port }, 'cannot listen');
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    logger.info(
      {
        port: typeof address === 'object' && address ? address.port : config.port,
        regions: config.regions,
        collectors: config.collectors.map((c) => `${c.name}@${c.intervalMs / 1000}s`),
        endpoint: config.endpoint ? redactUrlCredentials(config.endpoint) : 'AWS',
        config_file: config.configFile,
      },
      'aws-inventory listening',
    );
    scheduler.start();
  });

  // The ADOT preload registers its own SIGTERM listener that shuts the SDK down at once: the
  // running cycle's spans and log records, which end after the signal, were then dropped while
  // the flush below reported success. The inventory owns the order (stop, drain, flush), as the
  // service does; the preload's listener is the only SIGTERM listener present here.
  process.removeAllListeners('SIGTERM');
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'stopping: no new cycles; waiting for the running one');
    server.close();
    const finished = await scheduler.stop(config.shutdownTimeoutMs);
    if (!finished)
      logger.warn({ timeout_ms: config.shutdownTimeoutMs }, 'a cycle was still running at the shutdown timeout');
    const flushed = await flushTelemetry(config.flushTimeoutMs);
    logger.info({ flushed }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main();
