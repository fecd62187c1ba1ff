import type { IncomingMessage } from 'node:http';

/** Paths that never get a server span: health checks would otherwise drown the trace list. */
export const UNTRACED_PATHS = new Set(['/health']);

/**
 * Express routes case-insensitively and ignores one trailing slash, so /HEALTH and /health/ reach
 * the health route too; they stay untraced like /health (decided: answered, never traced).
 */
export function isUntracedRequest(request: Pick<IncomingMessage, 'url'>): boolean {
  const path = (request.url ?? '').split('?', 1)[0] ?? '';
  return UNTRACED_PATHS.has(path.toLowerCase().replace(/(.)\/$/, '$1'));
}
