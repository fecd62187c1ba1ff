import type { RequestHandler } from 'express';
import type { Logger } from '../../../kit/node/logger';
import { LOG_FLOOD_RECORDS_PER_REQUEST } from '../../../kit/scenarios';
import { MemoryLeak, logFloodBudget, type PerSecondBudget } from './effects';
import type { ScenarioSwitch } from './switch';

/** The flood record's message: one line an attendee can count in Loki. */
export const LOG_MSG_FLOOD = 'cache lookup retried';

/**
 * The scenarios that touch every route: memory-leak (each request retains a chunk, up to the cap)
 * and log-flood (each request writes extra WARN records, within a per-second budget). While both
 * are off this is two Set lookups per request.
 */
export function everyRequestScenarios(
  scenarios: ScenarioSwitch,
  logger: Logger,
  leak = new MemoryLeak(),
  flood: PerSecondBudget = logFloodBudget(),
): RequestHandler {
  scenarios.onChange((active) => {
    if (!active.includes('memory-leak')) leak.release();
  });
  return function scenarioEffects(_req, _res, next) {
    if (!scenarios.armed('memory-leak') && !scenarios.armed('log-flood')) {
      next();
      return;
    }
    void (async () => {
      if (await scenarios.hits('memory-leak')) leak.retain();
      if (await scenarios.hits('log-flood')) {
        const records = flood.take(LOG_FLOOD_RECORDS_PER_REQUEST);
        for (let attempt = 1; attempt <= records; attempt += 1)
          logger.warn({ component: 'cache', attempt }, LOG_MSG_FLOOD);
      }
    })().then(
      () => next(),
      () => next(),
    );
  };
}
