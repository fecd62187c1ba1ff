import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusServer } from './http';
import { InventoryState } from './state';

const state = new InventoryState([
  { collector: 'ec2_instances', region: 'us-east-1' },
  { collector: 's3_buckets', region: 'global' },
]);
let resting: Record<string, string> = {};
const server = createStatusServer(state, '9.9.9', () => resting);
beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
const errorShape = (status: number, code: string) => ({ error: { status, code, message: expect.any(String) } });

describe('status server', () => {
  it('/ready is 503 naming what is pending, /health is 200 with each status', async () => {
    const ready = await request(server).get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ ready: false, pending: ['ec2_instances/us-east-1', 's3_buckets/global'] });
    const health = await request(server).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', version: '9.9.9' });
    expect(health.body.collectors).toHaveLength(2);
  });

  it('after every first collection, /ready is 200; a failure shows as degraded with its kind', async () => {
    state.recordSuccess('ec2_instances', 'us-east-1', 'ec2_instance', [], 12, new Date());
    state.recordFailure('s3_buckets', 'global', 'credentials', 'InvalidClientTokenId: bad token', 5, new Date());
    expect((await request(server).get('/ready')).body).toEqual({ ready: true });
    const health = await request(server).get('/health/');
    expect(health.body.status).toBe('degraded');
    expect(health.body.collectors[1]).toMatchObject({
      collector: 's3_buckets',
      status: 'failed',
      lastErrorKind: 'credentials',
    });
  });

  it('a resting circuit makes /health degraded and is named', async () => {
    resting = { 'ec2:eu-west-1': 'open' };
    try {
      const health = await request(server).get('/health');
      expect(health.body).toMatchObject({ status: 'degraded', circuits: { 'ec2:eu-west-1': 'open' } });
    } finally {
      resting = {};
    }
  });

  it('unknown paths and methods answer the JSON error shape', async () => {
    const missing = await request(server).get('/metrics');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorShape(404, 'not_found'));
    const post = await request(server).post('/health');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body).toEqual(errorShape(405, 'method_not_allowed'));
  });

  it("what Node's HTTP parser rejects still gets a JSON 400", async () => {
    const { port } = server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write('GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual(errorShape(400, 'malformed_request'));
  });
});
