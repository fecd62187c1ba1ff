import express, { type Express } from 'express';
import type { Config } from './config';
import type { Logger } from './logger';
import { ItemStore } from './store';
import { errorHandler, notFound } from './http/errors';
import { requestTelemetry } from './http/request-telemetry';
import { createRequestMetrics, type RequestMetrics } from './telemetry/metrics';
import { healthRouter } from './routes/health';
import { itemsRouter } from './routes/items';
import { crashRouter } from './routes/crash';

export type AppDeps = { config: Config; logger: Logger; store?: ItemStore; metrics?: RequestMetrics };

/** Builds the app; never listens (index.ts does), so tests drive it with supertest. */
export function createApp({ config, logger, store, metrics }: AppDeps): Express {
  const app = express();
  const requestMetrics = metrics ?? createRequestMetrics();
  const itemStore = store ?? new ItemStore(config.store);

  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestTelemetry(logger, requestMetrics));
  app.use(healthRouter(config.serviceVersion));
  app.use(itemsRouter(itemStore, requestMetrics, logger));
  app.use(crashRouter(logger));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
