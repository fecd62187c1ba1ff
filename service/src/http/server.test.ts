// What Node's HTTP parser rejects before Express sees a request, answered in the service's JSON
// error shape, on a real server speaking raw HTTP over a socket.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { testConfig } from '../config';
import { createLogger } from '../../../kit/node/logger';
import { clientErrorAnswer, createHttpServer } from '../../../kit/node/http/server';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createHttpServer(createApp({ config: testConfig(), logger: createLogger('silent') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw bytes, returns everything the server wrote before closing (bounded at 5 s). */
function raw(request: string, to = port): Promise<{ status: number; headers: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: to });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 5 s')), 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const at = text.indexOf('\r\n\r\n');
      const head = at === -1 ? text : text.slice(0, at);
      const body = at === -1 ? '' : text.slice(at + 4);
      try {
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
          headers: head,
          body:
            body && /content-type: application\/json/i.test(head) && !/chunked/i.test(head) ? JSON.parse(body) : body,
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // write, not end: a half-closed client gets no answer from Node, only a closed socket.
    socket.write(request);
  });
}

const shape = (status: number, code: string) => ({ error: { status, code, message: expect.any(String) } });

describe('errors Node raises before Express', () => {
  it('a header section over the limit: 431 in the JSON shape', async () => {
    const answer = await raw(`GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual(shape(431, 'headers_too_large'));
  });

  it('a URL over the limit: 431 too', async () => {
    const answer = await raw(`GET /items?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual(shape(431, 'headers_too_large'));
  });

  it('a malformed request line: 400 in the JSON shape', async () => {
    const answer = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(shape(400, 'malformed_request'));
  });

  it('an Expect header Node does not support: 417 in the JSON shape', async () => {
    const answer = await raw(
      'POST /items HTTP/1.1\r\nHost: x\r\nExpect: 100-nonsense\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    expect(answer.status).toBe(417);
    expect(answer.body).toEqual(shape(417, 'expectation_failed'));
  });

  it('the server keeps serving after each of them', async () => {
    const answer = await raw('GET /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(200);
  });

  // Errors in a request's body arrive after Node made a response object for it: that response had
  // sent nothing yet, so the caller can still be answered (plain Node answers these 400 too).
  it.each([
    ['a chunk size that is not hex', 'POST', 'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['LF-only chunk lines', 'POST', 'Transfer-Encoding: chunked\r\n\r\n2\n{}\n0\n\n'],
    ['Transfer-Encoding: xchunked', 'POST', 'Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a bad chunk under GET', 'GET', 'Transfer-Encoding: chunked\r\n\r\nzz\r\n'],
    [
      'a chunk extension with a control byte',
      'POST',
      'Transfer-Encoding: chunked\r\n\r\n2;a=\u0001\r\n{}\r\n0\r\n\r\n',
    ],
  ])('%s: 400 in the JSON shape, not a silently closed socket', async (_name, method, rest) => {
    const answer = await raw(`${method} /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${rest}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(shape(400, 'malformed_request'));
  });

  it('a body that never finishes: 408 in the JSON shape at the request timeout, not after 300 s', async () => {
    const slow = createHttpServer(createApp({ config: testConfig(), logger: createLogger('silent') }), {
      requestTimeoutMs: 300,
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const answer = await raw(
        'POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
        (slow.address() as AddressInfo).port,
      );
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual(shape(408, 'request_timeout'));
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('classifies a request timeout as 408', () => {
    expect(clientErrorAnswer(Object.assign(new Error('t'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })).status).toBe(408);
  });
});
