/**
 * A loopback HTTP proxy that holds every request `delayMs` before passing it on: a slow AWS
 * endpoint in front of moto, so a test can act while a collection cycle is under way. stop()
 * destroys every socket it holds.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class DelayProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Requests received so far. */
  requests = 0;

  private readonly target: string;
  private readonly delayMs: number;

  constructor(target: string, delayMs: number) {
    this.target = target;
    this.delayMs = delayMs;
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      this.requests += 1;
      const timer = setTimeout(() => {
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      }, this.delayMs);
      res.on('close', () => clearTimeout(timer));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
