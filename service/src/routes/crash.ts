import type { Express } from 'express';
import type { Logger } from '../../../kit/node/logger';
import { methodNotAllowed } from '../../../kit/node/http/errors';

/** Deliberate failure for the workshop: an exception on the span, an ERROR log, a 500 JSON. */
export function registerCrashRoutes(app: Express, logger: Logger): void {
  app
    .route('/crash')
    .get(() => {
      logger.warn('about to crash on purpose');
      throw new Error('simulated crash: the handler threw on purpose');
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
}
