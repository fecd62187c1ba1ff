/**
 * Express layer spans (one per middleware, router and handler) are off. They cost more than any
 * other part of the instrumentation (measured by `npm run bench`: about 90 µs of the ~250 µs
 * per request) and a workshop reads nothing from them: the server span already has the route,
 * the status and the error, and the store.* spans show where time goes. The Express
 * instrumentation stays on because it is what names the route (`http.route`, set before its
 * ignore check), which the dashboards, the span metrics and the logs all group by.
 */
import { type ConfigurableInstrumentation, findInstrumentation } from './adot-instrumentations';
export const IGNORED_EXPRESS_LAYER_TYPES = ['middleware', 'router', 'request_handler'] as const;

/** Returns false when ADOT's instrumentation list has no Express instrumentation to configure. */
export function dropExpressLayerSpans(instrumentations: ConfigurableInstrumentation[]): boolean {
  const express = findInstrumentation(instrumentations, '@opentelemetry/instrumentation-express');
  if (!express) return false;
  express.setConfig({ ...express.getConfig(), ignoreLayersType: [...IGNORED_EXPRESS_LAYER_TYPES] });
  return true;
}
