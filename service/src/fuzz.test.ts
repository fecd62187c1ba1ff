// A fuzzing pass over the HTTP API with fast-check: random methods, paths, query strings,
// headers and bodies against createApp(). Every answer is below 500 (but /crash, which fails on
// purpose) and every 4xx has the documented error shape. A fixed seed and number of runs keep it
// reproducible and bounded in CI; FUZZ_RUNS raises the budget locally.
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from './app';
import { testConfig } from './config';
import { createLogger } from '../../kit/node/logger';

const app = createApp({ config: testConfig(), logger: createLogger('silent') });
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const segment = fc.oneof(
  fc.constantFrom('items', 'health', 'crash', 'HEALTH', '', '..', '%2e%2e', '%', '%zz', '__proto__', 'constructor'),
  fc.stringMatching(/^[0-9]{1,12}$/),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
);
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
const query = fc.option(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('limit', 'offset', 'api_key', 'x', 'limit'),
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer().map(String)),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
  { nil: undefined },
);
const jsonValue = fc.oneof(
  fc.record(
    { name: fc.string({ maxLength: 120 }), price_cents: fc.oneof(fc.integer(), fc.double(), fc.string()) },
    { requiredKeys: [] },
  ),
  fc.dictionary(
    fc.constantFrom('name', 'price_cents', 'tags', '__proto__', 'constructor', 'admin'),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const body = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.constant(''),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin-99',
);

describe('fuzzing the HTTP API', () => {
  it(`${RUNS} random requests: no 5xx but /crash, every error in the documented shape`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        path,
        query,
        body,
        contentType,
        async (method, p, q, b, type) => {
          const url = q ? `${p}?${q}` : p;
          let req = request(app)[method.toLowerCase() as 'get'](url);
          if (type) req = req.set('Content-Type', type);
          const res = method === 'GET' || method === 'OPTIONS' ? await req : await req.send(b);
          const crash = /^\/crash\/?$/i.test(p);
          if (!crash) expect(res.status, `${method} ${url} ${type ?? ''} ${b.slice(0, 80)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers['content-type'], `${method} ${url}`).toMatch(/application\/json/);
            expect(res.body, `${method} ${url}`).toMatchObject({
              error: { status: res.status, code: expect.any(String), message: expect.any(String) },
            });
          }
        },
      ),
      { numRuns: RUNS, seed: 20261124, endOnFailure: true },
    );
  }, 60_000);
});
