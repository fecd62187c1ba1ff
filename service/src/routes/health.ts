import { Router } from 'express';
import { methodNotAllowed } from '../http/errors';

/** Liveness only: cheap, no store access. Kept out of traces by the preload (telemetry/untraced-paths). */
export function healthRouter(version: string): Router {
  const router = Router();
  router
    .route('/health')
    .get((_req, res) => {
      res.json({ status: 'ok', version, uptime_s: Math.round(process.uptime()) });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
}
