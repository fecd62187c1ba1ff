/**
 * One function per user flow. Each sends exactly one request (so the mix in mix.ts is a request
 * mix) and states what it expects as a named check: the check names read as claims about the
 * service, so a failed one in the summary says what broke.
 */
import { check } from 'k6';
import * as api from './client.ts';
import type { Response, CallOptions } from './client.ts';
import type { FlowName } from './mix.ts';
import { toXRayTraceId } from '../kit/trace-ids.ts';

export interface FlowContext extends CallOptions {
  /** exec.scenario.iterationInTest: picks values deterministically, so reruns send the same requests. */
  iteration: number;
}

/** Ids this VU has seen in list and create responses; reads pick from them (VU-local state). */
const knownIds: number[] = [];
const MAX_KNOWN_IDS = 200;

function remember(id: unknown): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) return;
  if (knownIds.length >= MAX_KNOWN_IDS) knownIds.splice(0, knownIds.length - MAX_KNOWN_IDS + 1);
  knownIds.push(id);
}

function json(response: Response): unknown {
  try {
    return response.json();
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function listItems(ctx: FlowContext): void {
  // Mostly first pages, sometimes a deeper page: pagination shows up in the latency panel.
  const offset = ctx.iteration % 5 === 0 ? 40 : 0;
  const limit = ctx.iteration % 7 === 0 ? 100 : 20;
  const { response } = api.listItems(ctx, limit, offset);
  const items = field(json(response), 'items');
  check(response, {
    'GET /items returns a page of items': (r) => r.status === 200 && Array.isArray(items),
  });
  if (Array.isArray(items)) for (const item of items.slice(0, 20)) remember(field(item, 'id'));
}

function getItem(ctx: FlowContext): void {
  // The seeded catalogue starts at id 1, so a VU that has not listed anything yet still hits.
  const id = knownIds.length > 0 ? knownIds[ctx.iteration % knownIds.length]! : 1;
  const { response } = api.getItem(ctx, String(id));
  const body = json(response);
  check(response, {
    'GET /items/{id} returns the item': (r) => r.status === 200 && field(body, 'id') === id,
  });
}

let created = 0;
function createItem(ctx: FlowContext): void {
  created++;
  const body = JSON.stringify(newItem(ctx.iteration, created));
  // 507 is the bounded store saying it is full (10,000 items by default): after many runs
  // against one service process that is the truth, not a failure of the load test.
  const { response } = api.createItem(ctx, body, [201, 507]);
  const item = json(response);
  check(response, {
    'POST /items creates the item or reports the store full': (r) =>
      (r.status === 201 && typeof field(item, 'id') === 'number') || r.status === 507,
  });
  remember(field(item, 'id'));
}

export function newItem(iteration: number, sequence: number): { name: string; price_cents: number; tags: string[] } {
  return { name: `k6 item ${iteration}-${sequence}`, price_cents: ((iteration * 37) % 9900) + 100, tags: ['k6'] };
}

function crash(ctx: FlowContext): void {
  const sent = api.crash(ctx);
  const body = json(sent.response);
  check(sent.response, {
    'GET /crash answers 500 with our trace id': (r) => r.status === 500 && field(body, 'trace_id') === sent.traceId,
    'GET /crash answers with the X-Ray form of our trace id': () =>
      field(body, 'xray_trace_id') === toXRayTraceId(sent.traceId),
  });
}

/** Not positive integers in range: each must be refused with 400, never a 500 or a 404. */
export const MALFORMED_IDS = ['abc', '-1', '0', '1.5', '123456789012345678901234567890', '%E2%82%AC%00'];

function badItemId(ctx: FlowContext): void {
  const id = MALFORMED_IDS[ctx.iteration % MALFORMED_IDS.length]!;
  const { response } = api.getItem(ctx, id, [400]);
  check(response, { 'GET /items/{id} refuses a malformed id with 400': (r) => r.status === 400 });
}

/** Far beyond the store's bound (10,000 items) yet a valid id: always unknown. */
export const UNKNOWN_ID = '987654';

function unknownItem(ctx: FlowContext): void {
  const { response } = api.getItem(ctx, UNKNOWN_ID, [404]);
  check(response, { 'GET /items/{id} answers 404 for an unknown id': (r) => r.status === 404 });
}

/** Malformed JSON and bodies that fail the schema: 400 with a message, never a 500. */
export const BAD_BODIES = ['{"name": ', '{}', '{"name": 42, "price_cents": "free"}'];

function badItemBody(ctx: FlowContext): void {
  const body = BAD_BODIES[ctx.iteration % BAD_BODIES.length]!;
  const { response } = api.createItem(ctx, body, [400]);
  check(response, { 'POST /items refuses an invalid body with 400': (r) => r.status === 400 });
}

function health(ctx: FlowContext): void {
  const { response } = api.health(ctx);
  const body = json(response);
  check(response, { 'GET /health answers ok': (r) => r.status === 200 && field(body, 'status') === 'ok' });
}

export const FLOWS: Record<FlowName, (ctx: FlowContext) => void> = {
  listItems,
  getItem,
  createItem,
  crash,
  badItemId,
  unknownItem,
  badItemBody,
  health,
};
