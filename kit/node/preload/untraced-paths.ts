import type { IncomingMessage } from 'node:http';

/** Paths that never get a server span: health checks would otherwise drown the trace list. */
export const UNTRACED_PATHS = new Set(['/health']);
/** Longer paths (one trailing slash allowed) cannot be untraced: most requests stop at this check. */
const LONGEST_UNTRACED = Math.max(...[...UNTRACED_PATHS].map((p) => p.length)) + 1;

/**
 * Express routes case-insensitively and ignores one trailing slash, so /HEALTH and /health/ reach
 * the health route too; they stay untraced like /health (decided: answered, never traced).
 */
export function isUntracedRequest(request: Pick<IncomingMessage, 'url'>): boolean {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  if ((query === -1 ? url.length : query) > LONGEST_UNTRACED) return false;
  const path = query === -1 ? url : url.slice(0, query);
  return UNTRACED_PATHS.has(path.toLowerCase().replace(/(.)\/$/, '$1'));
}
