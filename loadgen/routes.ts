/**
 * The routes k6 calls, named as fixed `name` tags. Parameterised URLs share one name
 * (`/items/{id}`), otherwise every id would become its own time series in k6's metrics.
 *
 * Pure: no k6 imports (options.ts and the summary need the list too).
 */
export const ROUTES = [
  { method: 'GET', name: '/items' },
  { method: 'GET', name: '/items/{id}' },
  { method: 'POST', name: '/items' },
  { method: 'GET', name: '/crash' },
  { method: 'GET', name: '/health' },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteKey = `${Route['method']} ${Route['name']}`;

export function routeKey(route: Route): RouteKey {
  return `${route.method} ${route.name}`;
}

/** The k6 sub-metric that counts one route's requests, e.g. `http_reqs{name:/items,method:GET}`. */
export function routeRequestsSubmetric(route: Route): string {
  return `http_reqs{name:${route.name},method:${route.method}}`;
}
