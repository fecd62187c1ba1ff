import type http from 'node:http';
import { errorBody } from '../../kit/node/http/errors';
import { createHttpServer } from '../../kit/node/http/server';
import type { InventoryState } from './state';

type Body = Record<string, unknown>;

function send(res: http.ServerResponse, status: number, body: Body): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** The kit's one error shape (kit/node/http/errors.ts). */
function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, errorBody(status, code, message));
}

/**
 * /health: always 200 while the process serves, with each collector's last status and every
 * circuit that is not closed ("degraded" when a collector failed last or a circuit rests).
 * /ready: 503 until every collector finished its first collection in every region, 200 after.
 * Both GET or HEAD only.
 */
export function createStatusServer(
  state: InventoryState,
  version: string,
  circuits: () => Record<string, string> = () => ({}),
): http.Server {
  // The service's server: what Node rejects before this handler also gets the JSON error shape.
  return createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '').toLowerCase() || '/';
    if (path !== '/health' && path !== '/ready')
      return sendError(res, 404, 'not_found', `no route ${path}; try /health or /ready`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
    }
    const collectors = state.collectorStatuses();
    if (path === '/ready') {
      const ready = state.ready();
      const pending = collectors.filter((c) => c.status === 'pending').map((c) => `${c.collector}/${c.region}`);
      return send(res, ready ? 200 : 503, { ready, ...(ready ? {} : { pending }) });
    }
    const failed = collectors.filter((c) => c.status === 'failed').length;
    const resting = circuits();
    send(res, 200, {
      status: failed > 0 || Object.keys(resting).length > 0 ? 'degraded' : 'ok',
      version,
      collectors,
      circuits: resting,
    });
  });
}
