import type { Express } from 'express';
import { methodNotAllowed } from '../../../kit/node/http/errors';

/** Liveness only: cheap, no store access. Kept out of traces by the preload (telemetry/untraced-paths). */
export function registerHealthRoutes(app: Express, version: string): void {
  app
    .route('/health')
    .get((_req, res) => {
      res.json({ status: 'ok', version, uptime_s: Math.round(process.uptime()) });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
}
