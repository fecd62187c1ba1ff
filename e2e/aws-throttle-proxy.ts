// A proxy in front of moto that answers the first N calls of one EC2 action the way EC2 throttles
// (HTTP 503, error code RequestLimitExceeded), and forwards everything else untouched; the fault
// tests also switch it to an outage (every connection reset). The e2e
// points the inventory at it to prove throttling is retried and counted, not fatal: moto itself
// never throttles. Loopback only; every request is bounded in size and time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ThrottleProxy {
  url: string;
  /** Calls answered with a throttling error so far. */
  throttled(): number;
  /** Calls of the throttled action forwarded to moto (after the throttled ones). */
  forwarded(): number;
  /** While on, every call's connection is reset unanswered: the AWS API as unreachable as a network can make it. */
  setOutage(on: boolean): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

/** EC2's throttling answer (query protocol): the SDK reads the code and classes it as throttling. */
export function ec2ThrottlingBody(requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

/** The EC2 query-protocol action of a form-encoded body (`Action=DescribeVolumes&...`). */
export function ec2Action(body: string): string | undefined {
  return new URLSearchParams(body).get('Action') ?? undefined;
}

export async function startThrottleProxy(options: {
  target: string;
  action: string;
  times: number;
}): Promise<ThrottleProxy> {
  const target = new URL(options.target);
  let throttled = 0;
  let forwarded = 0;
  let outage = false;
  const server = http.createServer((req, res) => {
    if (outage) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large for the proxy'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isAction = ec2Action(body.toString('utf8')) === options.action;
      if (isAction && throttled < options.times) {
        throttled += 1;
        const text = ec2ThrottlingBody(`throttle-proxy-${throttled}`);
        res.writeHead(503, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (isAction) forwarded += 1;
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          timeout: 15_000,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('timeout', () => upstream.destroy(new Error('moto did not answer in 15 s')));
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`throttle proxy: ${error.message}`);
      });
      upstream.end(body);
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttled: () => throttled,
    forwarded: () => forwarded,
    setOutage: (on) => {
      outage = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
