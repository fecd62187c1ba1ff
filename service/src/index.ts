import type { Server } from 'node:http';
import { once } from 'node:events';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from '../../kit/node/logger';
import { createApp } from './app';
import { createHttpServer } from '../../kit/node/http/server';
import { recordRejection } from './http/request-telemetry';
import { createRequestMetrics, observeScenarios } from './telemetry/metrics';
import { startBackgroundActivity } from './background';
import { flushTelemetry, routeSdkDiagnostics } from '../../kit/node/sdk-lifecycle';
import { SCENARIO_NAMES } from '../../kit/scenarios';
import { flagdFileProvider, startScenarioSwitch, type ScenarioSwitch } from './scenarios/switch';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Plain stderr: the logger is configured from this very config.
      process.stderr.write(`items-api: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Stops accepting, lets in-flight requests finish (bounded), then drops whatever is left. */
async function drain(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = once(server, 'close').then(() => true);
  server.close();
  // close() only drops connections idle at that moment; a keep-alive connection whose request
  // finishes later would hold the server open until keepAliveTimeout. Keep sweeping.
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (!finished) server.closeAllConnections();
  return finished;
}

function installShutdown(
  server: Server,
  logger: Logger,
  config: Config,
  stopBackground: () => void,
  scenarios: ScenarioSwitch,
): void {
  // The ADOT preload registers its own SIGTERM listener that shuts the SDK down at once. Left in
  // place it would race us: spans of requests still in flight would end after the tracer
  // provider had shut down and be dropped. So the service owns the order - drain, then flush -
  // and the preload's listener is removed (it is the only SIGTERM listener present at this point).
  process.removeAllListeners('SIGTERM');
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    // Backstop: drain and flush are each bounded, but if anything else keeps the process from
    // exiting, an orchestrator should see a non-zero exit rather than a hang until SIGKILL.
    setTimeout(
      () => {
        logger.error('shutdown did not complete in time; exiting');
        process.exit(1);
      },
      config.shutdown.drainTimeoutMs + config.shutdown.flushTimeoutMs + 2_000,
    ).unref();
    stopBackground();
    await scenarios.close();
    const drained = await drain(server, config.shutdown.drainTimeoutMs);
    logger.info({ drained }, 'server closed; flushing telemetry');
    const flushed = await flushTelemetry(config.shutdown.flushTimeoutMs);
    if (!flushed) logger.warn({ timeout_ms: config.shutdown.flushTimeoutMs }, 'telemetry flush did not finish in time');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (config.routeSdkDiagnostics) routeSdkDiagnostics(logger, config.otlpEndpoint);
  // Before listening: the first request already sees the flag file's scenarios.
  const scenarios = await startScenarioSwitch(flagdFileProvider(config.flagFile, logger), logger);
  observeScenarios(SCENARIO_NAMES, (name) => scenarios.active().includes(name as (typeof SCENARIO_NAMES)[number]));
  // One set of instruments for the app and for what the server answers without it.
  const metrics = createRequestMetrics();
  const app = createApp({ config, logger, metrics, scenarios });
  const server = createHttpServer(app, {
    requestTimeoutMs: config.requestTimeoutMs,
    onRejected: recordRejection(logger, metrics),
  });
  // Slightly above typical load-balancer idle timeouts, so idle keep-alive sockets close cleanly.
  server.keepAliveTimeout = 65_000;
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'server failed to listen');
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ host: config.host, port, version: config.serviceVersion }, 'items-api listening');
  });
  const stopBackground = startBackgroundActivity(logger, {
    logGenerator: config.logGeneratorEnabled,
    userSimulator: config.userSimulatorEnabled,
  });
  installShutdown(server, logger, config, stopBackground, scenarios);
}

main().catch((error: unknown) => {
  process.stderr.write(`items-api: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
