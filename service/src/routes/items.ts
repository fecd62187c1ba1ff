import express, { type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../../../kit/node/logger';
import { ItemStore, StoreFullError } from '../store';
import type { RequestMetrics } from '../telemetry/metrics';
import { HttpError, methodNotAllowed, type ErrorDetail } from '../../../kit/node/http/errors';
import { SCENARIOS_OFF, type ScenarioSwitch } from '../scenarios/switch';
import { CpuBlocker } from '../scenarios/effects';

export const MAX_BODY_BYTES = 16 * 1024;
const MAX_ITEM_ID = 2_147_483_647;

const listQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'must be an integer from 1 to 100' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: 'must be an integer from 1 to 100' })
        .max(100, { error: 'must be an integer from 1 to 100' }),
    )
    .default(20),
  offset: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'must be an integer >= 0' })
    .transform(Number)
    .default(0),
});

const newItem = z.strictObject(
  {
    name: z
      .string()
      .trim()
      .min(1, { error: 'must be a non-empty string' })
      .max(100, { error: 'must be at most 100 characters' }),
    price_cents: z
      .number()
      .int({ error: 'must be an integer' })
      .min(0, { error: 'must be >= 0' })
      .max(100_000_000, { error: 'must be <= 100000000' }),
    tags: z.array(z.string().min(1).max(30)).max(10, { error: 'must hold at most 10 tags' }).default([]),
  },
  { error: 'body must be a JSON object' },
);

function fieldErrors(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue): ErrorDetail[] => {
    // Named one by one, __proto__ and constructor included (JSON.parse makes them own keys).
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: key, message: `unknown field \`${key}\`` }));
    return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
  });
}

/** Path ids are positive 32-bit integers written plainly: no sign, no exponent, no leading zero. */
export function parseItemId(raw: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_ITEM_ID) {
    throw new HttpError(400, 'invalid_id', `item id must be an integer from 1 to ${MAX_ITEM_ID}`, [
      { field: 'id', message: `got ${JSON.stringify(raw.slice(0, 40))}` },
    ]);
  }
  return Number(raw);
}

/** A request carries a body when it says so (Content-Length > 0 or chunked), as body-parser judges it. */
function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
}

const requireJson: RequestHandler = (req, _res, next) => {
  // Before the media-type check: with no body, req.is() knows no type, and "415" would blame the
  // Content-Type of a request whose real mistake is the missing body.
  if (!hasBody(req)) {
    next(new HttpError(400, 'body_required', 'request body required: a JSON object'));
    return;
  }
  if (!req.is('application/json')) {
    next(new HttpError(415, 'unsupported_media_type', 'request body must be application/json'));
    return;
  }
  next();
};

export function registerItemsRoutes(
  app: Express,
  store: ItemStore,
  metrics: RequestMetrics,
  logger: Logger,
  scenarios: ScenarioSwitch = SCENARIOS_OFF,
): void {
  const cpu = new CpuBlocker();
  app
    .route('/items')
    .get(async (req, res) => {
      // Repeated parameters (?limit=1&limit=2) arrive as arrays and fail the string schema.
      const query = listQuery.safeParse({ limit: req.query.limit, offset: req.query.offset });
      if (!query.success)
        throw new HttpError(400, 'invalid_query', 'query parameters are invalid', fieldErrors(query.error));
      const { limit, offset } = query.data;
      // cpu-block: synchronous work on the event loop, no span of its own (a gap in the trace).
      if (scenarios.armed('cpu-block') && (await scenarios.hits('cpu-block'))) cpu.block();
      const nPlusOne = scenarios.armed('n-plus-one') && (await scenarios.hits('n-plus-one'));
      const page = nPlusOne ? await store.listOneByOne(limit, offset) : await store.list(limit, offset);
      res.json({ items: page.items, limit, offset, total: page.total });
    })
    .post(requireJson, express.json({ limit: MAX_BODY_BYTES, strict: false }), async (req, res) => {
      const body = newItem.safeParse(req.body);
      if (!body.success)
        throw new HttpError(400, 'invalid_body', 'request body failed validation', fieldErrors(body.error));
      try {
        const item = await store.create(body.data);
        metrics.recordItemCreated();
        logger.info({ item_id: item.id }, 'item created');
        res.status(201).location(`/items/${item.id}`).json(item);
      } catch (error) {
        if (error instanceof StoreFullError) throw new HttpError(507, 'store_full', error.message);
        throw error;
      }
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  app
    .route('/items/:id')
    .get(async (req, res) => {
      const id = parseItemId(req.params.id);
      if (scenarios.armed('items-errors') && (await scenarios.hits('items-errors')))
        throw new Error(`simulated failure: price lookup for item ${id} failed`);
      const item = await store.get(id);
      if (!item) throw new HttpError(404, 'item_not_found', `no item with id ${id}`);
      res.json(item);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
}
