import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from './app';
import { testConfig } from './config';
import { createLogger } from '../../kit/node/logger';
import { ItemStore } from './store';
import { MAX_BODY_BYTES } from './routes/items';

function build(storeOverrides: Partial<ConstructorParameters<typeof ItemStore>[0]> = {}) {
  const config = testConfig();
  const store = new ItemStore({ ...config.store, ...storeOverrides });
  return createApp({ config, logger: createLogger('silent'), store });
}

/** Every bad-input test ends by checking the app still answers normally. */
async function expectStillServes(app: ReturnType<typeof build>) {
  const res = await request(app).get('/items/1');
  expect(res.status).toBe(200);
  expect(res.body.id).toBe(1);
}

function expectErrorShape(body: unknown, status: number, code: string) {
  expect(body).toMatchObject({ error: { status, code, message: expect.any(String) } });
}

describe('GET /health', () => {
  it('answers /HEALTH and /health/ like /health (Express routing; the preload keeps all three untraced)', async () => {
    for (const path of ['/HEALTH', '/health/']) expect((await request(build()).get(path)).status).toBe(200);
  });

  it('answers ok with version and uptime', async () => {
    const res = await request(build()).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ status: 'ok', version: expect.any(String), uptime_s: expect.any(Number) });
  });
});

describe('GET /items', () => {
  it('returns the first 20 items by default', async () => {
    const res = await request(build()).get('/items');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limit: 20, offset: 0, total: 50 });
    expect(res.body.items).toHaveLength(20);
    expect(res.body.items[0]).toEqual({
      id: 1,
      name: expect.any(String),
      price_cents: expect.any(Number),
      tags: ['seed'],
      created_at: expect.any(String),
    });
  });

  it('paginates with limit and offset', async () => {
    const res = await request(build()).get('/items?limit=5&offset=45');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: number }) => i.id)).toEqual([46, 47, 48, 49, 50]);
    const past = await request(build()).get('/items?limit=100&offset=1000');
    expect(past.status).toBe(200);
    expect(past.body.items).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
    ['offset=1e3', 'offset'],
    ['offset=99999999999999999999', 'offset'],
  ])('rejects ?%s with 400 naming %s', async (query, field) => {
    const app = build();
    const res = await request(app).get(`/items?${query}`);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_query');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    await expectStillServes(app);
  });
});

describe('GET /items/:id', () => {
  it('returns a known item', async () => {
    const res = await request(build()).get('/items/7');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 7, tags: ['seed'] });
  });

  it('answers 404 for an unknown id', async () => {
    const app = build();
    const res = await request(app).get('/items/999999');
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 404, 'item_not_found');
    await expectStillServes(app);
  });

  it.each([
    'abc',
    '-1',
    '1.5',
    '0',
    '007',
    '1e3',
    '123456789012345678901234567890',
    '2147483648',
    '%20',
    '%2e%2e',
    '%00',
    '%F0%9F%92%A9',
    '1%20',
  ])('answers 400 for id %s', async (id) => {
    const app = build();
    const res = await request(app).get(`/items/${id}`);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_id');
    await expectStillServes(app);
  });

  it.each(['%E0%A4%A', '%', '%zz'])('answers 400 JSON for undecodable id %s', async (id) => {
    const app = build();
    const res = await request(app).get(`/items/${id}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expectErrorShape(res.body, 400, 'bad_request');
    await expectStillServes(app);
  });
});

describe('POST /items', () => {
  const valid = { name: 'kite', price_cents: 1299, tags: ['outdoor'] };

  it('creates an item, answers 201 with it, and it can be fetched', async () => {
    const app = build();
    const res = await request(app).post('/items').send(valid);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...valid, id: 51 });
    expect(res.headers.location).toBe('/items/51');
    const fetched = await request(app).get('/items/51');
    expect(fetched.body).toEqual(res.body);
  });

  it('defaults tags and trims the name', async () => {
    const res = await request(build()).post('/items').send({ name: '  kite ', price_cents: 0 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'kite', tags: [] });
  });

  it.each([
    ['{"name": "x",', 'malformed JSON'],
    ['{name: x}', 'unquoted keys'],
  ])('answers 400 for %s (%s)', async (body) => {
    const app = build();
    const res = await request(app).post('/items').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe(400);
    expect(['malformed_json', 'invalid_body']).toContain(res.body.error.code);
    await expectStillServes(app);
  });

  it.each([
    [{ price_cents: 1 }, 'name'],
    [{ name: '', price_cents: 1 }, 'name'],
    [{ name: 'x'.repeat(101), price_cents: 1 }, 'name'],
    [{ name: 42, price_cents: 1 }, 'name'],
    [{ name: 'x' }, 'price_cents'],
    [{ name: 'x', price_cents: -1 }, 'price_cents'],
    [{ name: 'x', price_cents: 1.5 }, 'price_cents'],
    [{ name: 'x', price_cents: '12' }, 'price_cents'],
    [{ name: 'x', price_cents: 1, tags: 'a' }, 'tags'],
    [{ name: 'x', price_cents: 1, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags'],
    [{ name: 'x', price_cents: 1, colour: 'red' }, 'colour'],
    [[valid], '(body)'],
    ['just a string', '(body)'],
    [null, '(body)'],
  ])('answers 400 with a field-level message for %j', async (body, field) => {
    const app = build();
    const res = await request(app).post('/items').set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_body');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]),
    );
    await expectStillServes(app);
  });

  it.each([['admin'], ['__proto__'], ['constructor']])(
    'names an unknown field %s, also one JavaScript treats specially',
    async (field) => {
      const app = build();
      const res = await request(app)
        .post('/items')
        .set('Content-Type', 'application/json')
        .send(`{"name":"x","price_cents":1,${JSON.stringify(field)}:{"isAdmin":true}}`);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_body');
      expect(res.body.error.details).toEqual([{ field, message: `unknown field \`${field}\`` }]);
      await expectStillServes(app);
    },
  );

  it('answers 400 "body required" for an empty body, with or without a JSON content type', async () => {
    const app = build();
    for (const req of [
      request(app).post('/items').set('Content-Type', 'application/json'),
      request(app).post('/items'),
    ]) {
      const res = await req;
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'body_required');
    }
    await expectStillServes(app);
  });

  it.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=x&price_cents=1'],
    ['application/xml', '<item/>'],
  ])('answers 415 for content type %s', async (type, body) => {
    const app = build();
    const res = await request(app).post('/items').set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expectErrorShape(res.body, 415, 'unsupported_media_type');
    await expectStillServes(app);
  });

  it('answers 415 when there is no content type at all', async () => {
    const app = build();
    const res = await request(app).post('/items').send(Buffer.from('{"name":"x","price_cents":1}'));
    expect(res.status).toBe(415);
    await expectStillServes(app);
  });

  it('answers 413 for a body over 16 KiB and accepts one just under', async () => {
    const app = build();
    const big = JSON.stringify({ name: 'x', price_cents: 1, padding: 'p'.repeat(MAX_BODY_BYTES) });
    const res = await request(app).post('/items').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 413, 'payload_too_large');
    await expectStillServes(app);
  });

  it('answers 507 once the bounded store is full, and never grows past it', async () => {
    const app = build({ seedItems: 2, maxItems: 3 });
    expect((await request(app).post('/items').send(valid)).status).toBe(201);
    const full = await request(app).post('/items').send(valid);
    expect(full.status).toBe(507);
    expectErrorShape(full.body, 507, 'store_full');
    const list = await request(app).get('/items?limit=100');
    expect(list.body.total).toBe(3);
    await expectStillServes(app);
  });
});

describe('GET /crash', () => {
  it('answers 500 JSON with the error detail and keeps serving', async () => {
    const app = build();
    const res = await request(app).get('/crash');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expectErrorShape(res.body, 500, 'internal_error');
    expect(res.body.error.message).toContain('simulated crash');
    await expectStillServes(app);
  });
});

describe('unknown routes and wrong methods', () => {
  it.each(['/', '/nope', '/items/1/extra', '/ITEMS/x/y', '/health/deep'])('answers 404 JSON for %s', async (path) => {
    const app = build();
    const res = await request(app).get(path);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expectErrorShape(res.body, 404, 'not_found');
    await expectStillServes(app);
  });

  it.each([
    ['delete', '/items', 'GET, HEAD, POST'],
    ['put', '/items', 'GET, HEAD, POST'],
    ['patch', '/items/1', 'GET, HEAD'],
    ['post', '/items/1', 'GET, HEAD'],
    ['post', '/health', 'GET, HEAD'],
    ['delete', '/crash', 'GET, HEAD'],
  ] as const)('answers 405 JSON for %s %s with an Allow header', async (method, path, allow) => {
    const app = build();
    const res = await request(app)[method](path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expectErrorShape(res.body, 405, 'method_not_allowed');
    await expectStillServes(app);
  });

  it('never answers with an HTML page', async () => {
    const app = build();
    for (const path of ['/nope', '/items/%zz', '/crash']) {
      const res = await request(app).get(path);
      expect(res.headers['content-type']).not.toMatch(/html/);
    }
  });
});
