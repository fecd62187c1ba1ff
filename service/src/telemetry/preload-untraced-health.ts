/**
 * Second preload, after ADOT's register: keeps health checks out of traces.
 *
 * ADOT 0.13 passes a fixed config to the HTTP instrumentation (only `/ping` is ignored, and only
 * in agent-observability mode) and offers no env var for ignored paths, and the sampler is picked
 * from OTEL_TRACES_SAMPLER without any per-route rules. The instrumentation reads its config on
 * every request, though, so extending it here after the SDK has started takes effect at once.
 * This is telemetry bootstrap, not app code: it runs only under `--require` and the app never
 * imports it.
 *
 * Ignored requests get no span and no http.server.request.duration sample; the service's own
 * request_count still counts them.
 */
import { type ConfigurableInstrumentation, findInstrumentation } from './adot-instrumentations';
import type { IncomingMessage } from 'node:http';
import { isUntracedRequest } from './untraced-paths';

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

{
  // Resolves to the module instance the first --require already loaded (same cache entry).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const adot = require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register') as {
    instrumentations?: ConfigurableInstrumentation[];
  };
  if (!ignoreUntracedPaths(adot.instrumentations ?? [])) {
    process.stderr.write('items-api: HTTP instrumentation not found; /health will be traced\n');
  }
}
