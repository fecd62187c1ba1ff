/**
 * Third preload, after ADOT's register: makes the OTEL_BLRP_* variables take effect (see
 * log-batching.ts for why ADOT ignores them). Runs before the app emits its first record, while
 * the processors' timers have not started. A bad value stops start-up naming the variable.
 */
import { logs } from '@opentelemetry/api-logs';
import { applyLogBatchConfig, logBatchConfigFromEnv } from './log-batching';

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
}
