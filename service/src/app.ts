import express, { type Express } from 'express';
import type { Config } from './config';
import type { Logger } from '../../kit/node/logger';
import { ItemStore } from './store';
import { errorHandler, notFound } from '../../kit/node/http/errors';
import { requestTelemetry } from './http/request-telemetry';
import { createRequestMetrics, type RequestMetrics } from './telemetry/metrics';
import { registerHealthRoutes } from './routes/health';
import { registerItemsRoutes } from './routes/items';
import { registerCrashRoutes } from './routes/crash';
import { SCENARIOS_OFF, type ScenarioSwitch } from './scenarios/switch';
import { everyRequestScenarios } from './scenarios/middleware';

export type AppDeps = {
  config: Config;
  logger: Logger;
  store?: ItemStore;
  metrics?: RequestMetrics;
  /** The lab scenarios' switch; every scenario off when absent. */
  scenarios?: ScenarioSwitch;
};

/** Builds the app; never listens (index.ts does), so tests drive it with supertest. */
export function createApp({ config, logger, store, metrics, scenarios = SCENARIOS_OFF }: AppDeps): Express {
  const app = express();
  const requestMetrics = metrics ?? createRequestMetrics();
  const itemStore = store ?? new ItemStore(config.store, scenarios);

  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestTelemetry(logger, requestMetrics));
  app.use(everyRequestScenarios(scenarios, logger));
  // Routes go straight onto the app, one module per resource. (An express.Router per resource
  // would add a "router - <first path>" span to every request, e.g. "router - /health" under
  // GET /items/1, which misleads anyone reading the waterfall.)
  registerHealthRoutes(app, config.serviceVersion);
  registerItemsRoutes(app, itemStore, requestMetrics, logger, scenarios);
  registerCrashRoutes(app, logger);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
