/**
 * The one preload of every instrumented process (`node --require ./dist/kit/node/preload/preload.js`):
 * ADOT's register, then the settings ADOT offers no way to make. Telemetry bootstrap, not app code:
 * it runs only under `--require` and no app module imports it.
 *
 * 1. ADOT's register, loaded exactly as `--require …/register` would, with its start-up
 *    diagnostics turned into JSON lines. ADOT sets a console diag logger at INFO and logs two lines
 *    while it starts; on stdout they were the only lines that were not JSON, which breaks
 *    `docker compose logs | jq` and log shippers that parse every line. Only ADOT's own start is
 *    wrapped: console is restored after.
 * 2. OTEL_BLRP_* take effect (log-batching.ts says why ADOT ignores them), before the app emits its
 *    first record. A bad value stops start-up naming the variable.
 * 3. Health checks stay out of traces (untraced-paths.ts): ADOT 0.13 offers no env var for ignored
 *    paths, but the HTTP instrumentation reads its config on every request, so extending it here
 *    takes effect at once. Ignored requests get no span and no duration sample; the app's own
 *    request_count still counts them.
 * 4. Express layer spans are off, routes kept (express-layers.ts).
 * 5. Sensitive query-string values are redacted in `url.query` before any span ends (redaction.ts).
 * 6. Every attribute value is bounded (attribute-limits.ts): OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT is
 *    validated and defaulted before ADOT's SDK reads it, and the HTTP server span's values are
 *    replaced by bounded copies that own their memory. A bad value stops start-up naming it.
 * 7. pino records go to the OTel Logs SDK through the kit's log bridge (log-bridge.ts), from the
 *    log call's object rather than a re-parse of the JSON line. When the pino instrumentation is
 *    enabled anyway (OTEL_NODE_ENABLED_INSTRUMENTATIONS unset enables all), its log sending and
 *    its trace fields are turned off: the bridge sends the records and the logger's mixin writes
 *    the trace fields, so neither appears twice.
 */
import { logs } from '@opentelemetry/api-logs';
import type { IncomingMessage } from 'node:http';
import { format } from 'node:util';
import { type ConfigurableInstrumentation, findInstrumentation } from './adot-instrumentations';
import { applyAttributeLimits, boundAttributesInSpans } from './attribute-limits';
import { dropExpressLayerSpans } from './express-layers';
import { applyLogBatchConfig, logBatchConfigFromEnv } from './log-batching';
import { bridgePinoToOtel, type PinoLike } from './log-bridge';
import { redactQueriesInSpans } from './redaction';
import { isUntracedRequest } from './untraced-paths';

/** A line in the kit's log shape (kit/node/logger.ts: string level, ISO time, msg). */
export function adotLogLine(
  level: 'info' | 'debug' | 'warn' | 'error',
  args: unknown[],
  now: Date = new Date(),
): string {
  return `${JSON.stringify({ level, time: now.toISOString(), source: 'adot', msg: format(...args) })}\n`;
}

/**
 * Whether this process asked for an instrumentation: ADOT enables every one when
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS is unset. A missing instrumentation nobody asked for (the
 * inventory has no HTTP server to trace) is no reason for a warning.
 */
export function instrumentationRequested(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const list = env.OTEL_NODE_ENABLED_INSTRUMENTATIONS?.trim();
  if (!list) return true;
  return list.split(',').some((entry) => entry.trim() === name);
}

function ignoreUntracedPaths(instrumentations: ConfigurableInstrumentation[]): boolean {
  const http = findInstrumentation(instrumentations, '@opentelemetry/instrumentation-http');
  if (!http) return false;
  const previous = http.getConfig();
  const previousHook = previous.ignoreIncomingRequestHook as ((req: IncomingMessage) => boolean) | undefined;
  http.setConfig({
    ...previous,
    ignoreIncomingRequestHook: (req: IncomingMessage) => isUntracedRequest(req) || previousHook?.(req) === true,
  });
  return true;
}

/** Step 7. Nothing to do without a Logs SDK to bridge to or a pino to bridge. */
function bridgePinoLogs(instrumentations: ConfigurableInstrumentation[]): void {
  const pinoInstrumentation = findInstrumentation(instrumentations, '@opentelemetry/instrumentation-pino');
  pinoInstrumentation?.setConfig({
    ...pinoInstrumentation.getConfig(),
    disableLogSending: true,
    disableLogCorrelation: true,
  });
  // ADOT registers the SDK's provider (it has forceFlush) only when OTEL_LOGS_EXPORTER exports.
  if (!('forceFlush' in logs.getLoggerProvider())) return;
  let pino: PinoLike;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pino = require('pino') as PinoLike;
  } catch {
    return;
  }
  bridgePinoToOtel(pino, warn);
}

function loadAdot(): ConfigurableInstrumentation[] {
  const saved = { info: console.info, debug: console.debug, log: console.log };
  console.info = (...args: unknown[]) => void process.stdout.write(adotLogLine('info', args));
  console.debug = (...args: unknown[]) => void process.stdout.write(adotLogLine('debug', args));
  console.log = (...args: unknown[]) => void process.stdout.write(adotLogLine('info', args));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const adot = require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register') as {
      instrumentations?: ConfigurableInstrumentation[];
    };
    return adot.instrumentations ?? [];
  } finally {
    Object.assign(console, saved);
  }
}

function warn(message: string): void {
  process.stderr.write(`${process.env.OTEL_SERVICE_NAME ?? 'otel-kit'}: ${message}\n`);
}

/** A bad telemetry variable stops start-up with exit 2 and a message naming it. */
function orExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    warn((error as Error).message);
    process.exit(2);
  }
}

function applySettings(instrumentations: ConfigurableInstrumentation[], spanAttributeLimit: number): void {
  const config = orExit(() => logBatchConfigFromEnv(process.env));
  if (Object.keys(config).length > 0 && applyLogBatchConfig(logs.getLoggerProvider(), config) === 0) {
    warn('no batch log processor found; OTEL_BLRP_* settings not applied');
  }
  const wantsHttp = instrumentationRequested('http');
  if (!ignoreUntracedPaths(instrumentations) && wantsHttp) {
    warn('HTTP instrumentation not found; /health will be traced');
  }
  if (!dropExpressLayerSpans(instrumentations) && instrumentationRequested('express')) {
    warn('Express instrumentation not found; layer spans stay on');
  }
  // Installed before the redaction hook, which calls it after rewriting url.query: the bound then
  // applies to the redacted query too.
  boundAttributesInSpans(instrumentations, spanAttributeLimit);
  // Without the HTTP instrumentation there is no url.query to leak either.
  redactQueriesInSpans(instrumentations);
  bridgePinoLogs(instrumentations);
}

// Node's module cache runs this once per process, however often a command line names it. The
// attribute limit is set before ADOT's SDK reads the environment.
const spanAttributeLimit = orExit(() => applyAttributeLimits(process.env));
applySettings(loadAdot(), spanAttributeLimit);
