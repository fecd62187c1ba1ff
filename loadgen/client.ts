/**
 * Thin API client for the items service: one function per endpoint, each sending the trace
 * context and run id, with a fixed `name` tag and the statuses this call expects.
 */
import http from 'k6/http';
import type { RefinedResponse, ResponseType, RefinedParams } from 'k6/http';
import { baggageHeader, newSpanId, newTraceId, traceparent } from '../kit/trace-ids.ts';
import type { Route } from './routes.ts';
import { ROUTES } from './routes.ts';

/** Compose sets BASE_URL=http://service:8080 for the k6 container; natively the service is on loopback. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

export type Response = RefinedResponse<ResponseType | undefined>;

export interface Sent {
  response: Response;
  /** The W3C trace id this request started; the service continues it. */
  traceId: string;
}

export interface CallOptions {
  runId: string;
  /** Reuse a trace id reserved in setup() (the first /crash requests); otherwise a fresh one. */
  traceId?: string;
}

function route(method: Route['method'], name: Route['name']): Route {
  const found = ROUTES.find((candidate) => candidate.method === method && candidate.name === name);
  if (!found) throw new Error(`no such route: ${method} ${name}`);
  return found;
}

function send(
  target: Route,
  path: string,
  expected: number[],
  call: CallOptions,
  body?: string,
  contentType?: string,
): Sent {
  const traceId = call.traceId ?? newTraceId();
  const headers: Record<string, string> = {
    traceparent: traceparent(traceId, newSpanId()),
    baggage: baggageHeader(call.runId),
  };
  if (contentType) headers['Content-Type'] = contentType;
  const params: RefinedParams<ResponseType | undefined> = {
    headers,
    tags: { name: target.name },
    // Declared per request: a 404 is a success for "unknown id" and a failure for "get the item".
    responseCallback: http.expectedStatuses(...expected),
    timeout: '10s',
  };
  const url = `${BASE_URL}${path}`;
  const response = target.method === 'POST' ? http.post(url, body ?? null, params) : http.get(url, params);
  return { response, traceId };
}

export function listItems(call: CallOptions, limit: number, offset: number): Sent {
  return send(route('GET', '/items'), `/items?limit=${limit}&offset=${offset}`, [200], call);
}

/** `id` is sent verbatim (already URL-safe or percent-encoded) so malformed ids reach the server as written. */
export function getItem(call: CallOptions, id: string, expected: number[] = [200]): Sent {
  return send(route('GET', '/items/{id}'), `/items/${id}`, expected, call);
}

export function createItem(call: CallOptions, body: string, expected: number[] = [201]): Sent {
  return send(route('POST', '/items'), '/items', expected, call, body, 'application/json');
}

export function crash(call: CallOptions): Sent {
  return send(route('GET', '/crash'), '/crash', [500], call);
}

export function health(call: CallOptions): Sent {
  return send(route('GET', '/health'), '/health', [200], call);
}
