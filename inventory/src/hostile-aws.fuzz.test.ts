// Fuzzing what an AWS endpoint answers: well-formed answers, AWS error answers, answers cut short,
// empty or foreign bodies, silence, at random. The rules under test, whatever comes back: the
// collection ends within its bound; it either succeeds with exactly the resources answered or
// fails with a known error kind that is counted; /health is degraded exactly when it failed.
// Fixed seed and run count keep it reproducible and bounded; FUZZ_RUNS raises it.
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFactory } from './aws-clients';
import { CircuitBreakers } from './circuit-breaker';
import { ec2Instances } from './collectors/ec2-instances';
import { ERROR_KINDS } from './errors';
import { createStatusServer } from './http';
import * as names from '../../kit/names/inventory';
import { InventoryState } from './state';
import { counterTotal, fastScheduler } from './test-support/fast-scheduler';
import { HostileAws, type HostileMode } from './test-support/hostile-aws';

process.env.AWS_ACCESS_KEY_ID ??= 'hostile';
process.env.AWS_SECRET_ACCESS_KEY ??= 'hostile';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const REGION = 'ca-west-1';
const TIMEOUT_MS = 300;
const endpoint = new HostileAws({ kind: 'silent' });
let clients: ReturnType<typeof clientFactory>;

beforeAll(async () => {
  clients = clientFactory({
    endpoint: await endpoint.start(),
    requestTimeoutMs: TIMEOUT_MS,
    maxResponseBytes: 64 * 1024,
  });
});
afterAll(() => endpoint.stop());

function describeInstances(n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<item><reservationId>r-${i}</reservationId><instancesSet><item><instanceId>i-${i}</instanceId><instanceType>t3.micro</instanceType><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet>${items}</reservationSet></DescribeInstancesResponse>`;
}

const http = (status: string, body: string, length = Buffer.byteLength(body)) =>
  `HTTP/1.1 ${status}\r\nContent-Type: text/xml;charset=UTF-8\r\nx-amzn-requestid: fuzz\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`;

type Case = { mode: HostileMode; expectOk?: number; label: string };

const wellFormed = fc.integer({ min: 0, max: 5 }).map((n): Case => ({
  mode: { kind: 'raw', bytes: http('200 OK', describeInstances(n)) },
  expectOk: n,
  label: `ok ${n}`,
}));
const awsError = fc
  .record({
    status: fc.constantFrom(
      '400 Bad Request',
      '401 Unauthorized',
      '403 Forbidden',
      '429 Too Many Requests',
      '500 Internal Server Error',
      '503 Service Unavailable',
    ),
    code: fc.constantFrom(
      'RequestLimitExceeded',
      'Throttling',
      'AuthFailure',
      'UnauthorizedOperation',
      'InternalError',
      'InvalidParameterValue',
      'Unavailable',
    ),
  })
  .map(({ status, code }): Case => ({
    mode: {
      kind: 'raw',
      bytes: http(
        status,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>fuzz</Message></Error></Errors><RequestID>r</RequestID></Response>`,
      ),
    },
    label: `${status} ${code}`,
  }));
// The whole answer declared, part of it sent, then the connection closed.
const cutShort = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 0.99, noNaN: true }))
  .map(([n, share]): Case => {
    const body = describeInstances(n);
    const sent = body.slice(0, Math.floor(body.length * share));
    return {
      mode: { kind: 'raw', bytes: http('200 OK', sent, Buffer.byteLength(body)) },
      label: `cut ${n} at ${share}`,
    };
  });
const foreign = fc
  .constantFrom(
    '',
    'hello',
    '{"Reservations":[]}',
    '<html><body>proxy login</body></html>',
    '<?xml version="1.0"?><Other/>',
    '\u0000\u0001\u0002',
  )
  .map((body): Case => ({ mode: { kind: 'raw', bytes: http('200 OK', body) }, label: `200 ${JSON.stringify(body)}` }));
const oversized = fc.constant<Case>({
  mode: { kind: 'huge', bytes: 256 * 1024, declareLength: false },
  label: 'oversized',
});
const silent = fc.constant<Case>({ mode: { kind: 'silent' }, label: 'silent' });

const errorsCounted = () => counterTotal(names.METRIC_COLLECTION_ERRORS, { [names.ATTR_REGION]: REGION });

describe('fuzzing AWS answers', () => {
  it(`${RUNS} random answers: bounded, exact when ok, classified and counted when not, /health agrees`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(wellFormed, awsError, cutShort, foreign, oversized, silent),
        async ({ mode, expectOk, label }) => {
          endpoint.mode = mode;
          const state = new InventoryState([{ collector: ec2Instances.name, region: REGION }]);
          const scheduler = fastScheduler({
            collectors: [ec2Instances],
            regions: [REGION],
            clients,
            breakers: new CircuitBreakers({ failureThreshold: 1_000, openMs: 60_000 }),
            state,
          });
          const errorsBefore = await errorsCounted();
          const started = Date.now();
          await scheduler.runCycle(ec2Instances);
          const elapsed = Date.now() - started;
          // Two attempts at the bound, plus slack for a loaded machine.
          expect(elapsed, label).toBeLessThan(2 * TIMEOUT_MS + 1_500);
          const status = state.collectorStatuses()[0]!;
          const health = (await request(createStatusServer(state, 'fuzz')).get('/health')).body as { status: string };
          if (expectOk !== undefined) {
            expect(status.status, label).toBe('ok');
            expect(
              state.resourceSeries().reduce((n, s) => n + s.count, 0),
              label,
            ).toBe(expectOk);
            expect(health.status, label).toBe('ok');
          } else {
            expect(status.status, `${label}: ${status.lastError}`).toBe('failed');
            expect(ERROR_KINDS, label).toContain(status.lastErrorKind);
            expect(await errorsCounted(), label).toBeGreaterThan(errorsBefore);
            expect(health.status, label).toBe('degraded');
          }
        },
      ),
      { numRuns: RUNS, seed: 20261203, endOnFailure: true },
    );
  }, 120_000);
});
