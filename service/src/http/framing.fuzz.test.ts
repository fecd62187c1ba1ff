// Fuzzing the HTTP framing, below Express: request lines, Transfer-Encoding and Content-Length
// values, chunk sizes and line endings, mutated at random and sent as raw bytes to the real
// server. The rule under test: nothing goes unanswered. Every connection gets a whole HTTP answer
// (a 408 at the request timeout for a request that never completes), and every error answer is
// in the JSON error shape. Fixed seed and run count keep it reproducible; FUZZ_RUNS raises it.
import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { testConfig } from '../config';
import { createLogger } from '../../../kit/node/logger';
import { createHttpServer } from '../../../kit/node/http/server';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const REQUEST_TIMEOUT_MS = 250;
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createHttpServer(createApp({ config: testConfig(), logger: createLogger('silent') }), {
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Everything the server wrote until it closed the connection, or what it wrote within 3 s. */
function exchange(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

// Mostly well-formed request lines, so most runs reach the framing of the body.
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: odd, weight: 1 });
const method = mostly(fc.constantFrom('POST', 'GET', 'PUT'), fc.constantFrom('DELETE', 'FOO', 'get', 'POST '));
const target = mostly(
  fc.constantFrom('/items', '/items/1'),
  fc.constantFrom('/health', '/nope', '*', 'http://x/items', '/items?limit=2', ''),
);
const version = mostly(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'HTTX/1.1'));
const transferEncoding = mostly(
  fc.constantFrom(undefined, 'chunked'),
  fc.constantFrom('xchunked', 'chunked, gzip', 'gzip, chunked', 'identity', 'chunked\u0001', ' chunked'),
);
const contentLength = mostly(
  fc.constantFrom(undefined, 'exact'),
  fc.constantFrom('0', '2', '5', '-1', '1e3', '2, 2', '99999999999999999999', ' 2'),
);
// 'exact' is the body's own length: a well-formed chunk, the mutations around it.
const chunkSize = mostly(
  fc.constant('exact'),
  fc.oneof(
    fc.constantFrom('zz', '', '-1', 'ffffffffffffffffff', '2;ext=1', '2;\u0001', '0x2'),
    fc.integer({ min: 0, max: 40 }).map((n) => n.toString(16)),
  ),
);
const eol = mostly(fc.constant('\r\n'), fc.constantFrom('\n', '\r', '\r\n\r\n'));
const body = fc.constantFrom('', '{}', '{"name":"kite","price_cents":1}', '{"na', 'x'.repeat(30));

const request = fc
  .record({ method, target, version, transferEncoding, contentLength, chunkSize, body, eol, lastChunk: fc.boolean() })
  .map((r) => {
    const headers = ['Host: x', 'Content-Type: application/json', 'Connection: close'];
    if (r.transferEncoding !== undefined) headers.push(`Transfer-Encoding: ${r.transferEncoding}`);
    if (r.contentLength !== undefined)
      headers.push(`Content-Length: ${r.contentLength === 'exact' ? r.body.length : r.contentLength}`);
    const head = `${r.method} ${r.target} ${r.version}\r\n${headers.join('\r\n')}\r\n\r\n`;
    const chunked = r.transferEncoding !== undefined && r.transferEncoding.includes('chunked');
    const size = r.chunkSize === 'exact' ? r.body.length.toString(16) : r.chunkSize;
    const payload = chunked ? `${size}${r.eol}${r.body}${r.eol}${r.lastChunk ? `0${r.eol}${r.eol}` : ''}` : r.body;
    return head + payload;
  });

describe('fuzzing the HTTP framing', () => {
  it(`${RUNS} mutated requests: every one answered with a whole HTTP response, every error in the JSON shape`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        const answer = await exchange(bytes);
        const shown = JSON.stringify(bytes);
        expect(answer, shown).toMatch(/^HTTP\/1\.[01] \d{3} /);
        const status = Number(answer.slice(9, 12));
        expect(status, shown).toBeLessThan(500);
        if (status >= 400 && !/^HEAD /.test(bytes)) {
          const at = answer.indexOf('\r\n\r\n');
          const head = answer.slice(0, at);
          expect(head, shown).toMatch(/content-type: application\/json/i);
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
          const json = JSON.parse(answer.slice(at + 4, at + 4 + length)) as { error?: { status?: number } };
          expect(json.error?.status, shown).toBe(status);
        }
      }),
      { numRuns: RUNS, seed: 20261202, endOnFailure: true },
    );
  }, 120_000);
});
