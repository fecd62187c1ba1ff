/**
 * Third preload, after ADOT's register: the settings ADOT offers no way to make.
 * - OTEL_BLRP_* take effect (see log-batching.ts for why ADOT ignores them). Runs before the
 *   app emits its first record, while the processors' timers have not started. A bad value
 *   stops start-up naming the variable.
 * - Express layer spans are off, routes kept (see express-layers.ts).
 * - Sensitive query-string values are redacted in `url.query` before any span ends (redaction.ts).
 * - The server span's attribute values are bounded copies (attribute-limits.ts).
 * Telemetry bootstrap, not app code: it runs only under `--require`.
 */
import { logs } from '@opentelemetry/api-logs';
import { dropExpressLayerSpans } from './express-layers';
import { applyLogBatchConfig, logBatchConfigFromEnv } from './log-batching';
import { redactQueriesInSpans } from './redaction';
import { applyAttributeLimits, boundAttributesInSpans } from './attribute-limits';

{
  let config;
  try {
    config = logBatchConfigFromEnv(process.env);
  } catch (error) {
    process.stderr.write(`items-api: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (Object.keys(config).length > 0 && applyLogBatchConfig(logs.getLoggerProvider(), config) === 0) {
    process.stderr.write('items-api: no batch log processor found; OTEL_BLRP_* settings not applied\n');
  }
  // Resolves to the module instance the first --require already loaded (same cache entry).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const adot = require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register') as {
    instrumentations?: Parameters<typeof dropExpressLayerSpans>[0];
  };
  if (!dropExpressLayerSpans(adot.instrumentations ?? [])) {
    process.stderr.write('items-api: Express instrumentation not found; layer spans stay on\n');
  }
  // Installed before the redaction hook, which calls it after rewriting url.query: the bound then
  // applies to the redacted query too. (The first preload validated and defaulted the variables.)
  boundAttributesInSpans(adot.instrumentations ?? [], applyAttributeLimits(process.env));
  if (!redactQueriesInSpans(adot.instrumentations ?? [])) {
    // Without the HTTP instrumentation there is no url.query to leak either.
    process.stderr.write('items-api: HTTP instrumentation not found; no query redaction needed\n');
  }
}
