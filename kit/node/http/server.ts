import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './errors';

/**
 * Errors Node's HTTP parser raises before Express sees a request, in the JSON shape every other
 * error answer has. Without a 'clientError' listener Node answers them itself with a bare
 * "400 Bad Request" (or 431) and no body.
 */
export function clientErrorAnswer(error: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        message: 'request headers (or the URL) are larger than the server accepts',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request was not received in time' };
    default:
      return { status: 400, code: 'malformed_request', message: 'the request is not valid HTTP/1.1' };
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

function answerOnSocket(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(status, code, message));
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The service's HTTP server: the app, plus JSON answers for what Node rejects before the app. */
export function createHttpServer(app: RequestListener): Server {
  const server = createServer(app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset connection or one with a response under way cannot take an answer.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const { status, code, message } = clientErrorAnswer(error);
    answerOnSocket(socket, status, code, message);
  });
  // An Expect header other than 100-continue: Node would answer 417 with no body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify(
      errorBody(
        417,
        'expectation_failed',
        `unsupported Expect header: ${JSON.stringify(String(req.headers.expect ?? '').slice(0, 60))}`,
      ),
    );
    res
      .writeHead(417, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      })
      .end(body);
  });
  return server;
}
