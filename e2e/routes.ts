// k6 names parameterised URLs like OpenAPI ("/items/{id}"), Express like "/items/:id".
// The e2e comparison needs both spellings to meet.
export function k6NameToRoute(name: string): string {
  return name.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Adds up per-route counts after translating k6 names into Express routes. Routes k6 did not
 * call are left out: the comparison is over the traffic of the run, and k6's own preflight
 * health check is tagged apart from the routes it reports.
 */
export function countsByRoute(k6Counts: Record<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, n] of Object.entries(k6Counts)) {
    if (n === 0) continue;
    const route = k6NameToRoute(name.replace(/^[A-Z]+ /, ''));
    out.set(route, (out.get(route) ?? 0) + n);
  }
  return out;
}

// The X-Ray spelling of a W3C id, as the load generator computes it: the e2e test then checks
// that the service's own conversion (in its log records and the collector's export) agrees.
export { toXRayTraceId } from '../kit/trace-ids.ts';
