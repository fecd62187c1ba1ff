import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { path: string; at: number; body: Buffer };

/**
 * A narrow test seam, not a fake backend: accepts OTLP/HTTP (protobuf) posts on 127.0.0.1,
 * answers 200 with an empty body (an empty Export*ServiceResponse) and keeps the raw bytes.
 * Tests look for byte sequences a correct payload must contain (service name, raw trace id).
 */
export class OtlpReceiver {
  readonly received: Received[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', at: Date.now(), body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Payloads on a signal path (e.g. /v1/traces) containing every needle. */
  find(path: string, ...needles: Array<string | Buffer>): Received[] {
    return this.received.filter((r) => r.path === path && needles.every((n) => r.body.includes(n)));
  }

  async waitFor(path: string, needles: Array<string | Buffer>, timeoutMs: number): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.find(path, ...needles)[0];
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`nothing on ${path} containing ${needles.map(String).join(', ')} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
