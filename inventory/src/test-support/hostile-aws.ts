/**
 * A fake AWS endpoint on loopback that misbehaves on purpose, for the inventory's fault tests.
 * Each mode is one way a network or an endpoint lets a client down. Every socket it accepts is
 * tracked and destroyed by stop(), so a hanging mode never outlives its test.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type HostileMode =
  /** Accepts the connection, reads the request, never answers. */
  | { kind: 'silent' }
  /** Answers 200 with no body at all. */
  | { kind: 'empty_200' }
  /** Answers 200 with a DescribeInstances answer of about `bytes`, declaring the length up front or not. */
  | { kind: 'huge'; bytes: number; declareLength: boolean }
  /** Sends the status line and headers, then one byte of body every `everyMs`, forever. */
  | { kind: 'trickle'; everyMs: number }
  /** Sends these exact bytes, then closes the connection. */
  | { kind: 'raw'; bytes: string };

export class HostileAws {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Requests seen (one per attempt that reached the endpoint). */
  requests = 0;

  mode: HostileMode;

  constructor(mode: HostileMode) {
    this.mode = mode;
  }

  async start(): Promise<string> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      // One request per connection is enough here: answer once the request's head has arrived.
      socket.off('data', onData);
      this.requests += 1;
      this.answer(socket);
    };
    socket.on('data', onData);
  }

  private answer(socket: Socket): void {
    const mode = this.mode;
    const ok = 'HTTP/1.1 200 OK\r\nContent-Type: text/xml;charset=UTF-8\r\nx-amzn-requestid: hostile\r\n';
    switch (mode.kind) {
      case 'silent':
        return;
      case 'empty_200':
        socket.end(`${ok}Content-Length: 0\r\n\r\n`);
        return;
      case 'huge': {
        // A well-formed DescribeInstances answer of about `bytes`, so the SDK would parse all of it.
        const head =
          '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>hostile</requestId><reservationSet>';
        const item =
          '<item><reservationId>r-0</reservationId><instancesSet><item><instanceId>i-0</instanceId><instanceType>t3.micro</instanceType><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item>';
        const tail = '</reservationSet></DescribeInstancesResponse>';
        const items = Math.max(0, Math.floor((mode.bytes - head.length - tail.length) / item.length));
        const total = head.length + items * item.length + tail.length;
        socket.write(
          mode.declareLength
            ? `${ok}Content-Length: ${total}\r\nConnection: close\r\n\r\n${head}`
            : `${ok}Connection: close\r\n\r\n${head}`,
        );
        const perBlock = 256;
        const block = Buffer.from(item.repeat(perBlock));
        let left = items;
        // Written as the client drains it (backpressure), so the client's memory is what is measured.
        const pump = () => {
          while (left > 0 && !socket.destroyed) {
            const n = Math.min(left, perBlock);
            left -= n;
            if (!socket.write(n === perBlock ? block : block.subarray(0, n * item.length))) {
              socket.once('drain', pump);
              return;
            }
          }
          if (left <= 0 && !socket.destroyed) socket.end(tail);
        };
        pump();
        return;
      }
      case 'raw':
        socket.end(mode.bytes);
        return;
      case 'trickle': {
        socket.write(`${ok}Content-Length: 1000000\r\n\r\n<`);
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('x')), mode.everyMs);
        this.timers.add(timer);
        return;
      }
    }
  }
}
