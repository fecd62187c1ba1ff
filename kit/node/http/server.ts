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

/** A request answered by the server itself, before (or instead of) the app: see createHttpServer. */
export interface Rejection {
  status: number;
  code: string;
  /** Known only when Node parsed the request line (an unsupported Expect header). */
  method?: string;
}

export interface HttpServerOptions {
  /**
   * Called for every answer the app never sees (a malformed request line, headers too large, an
   * unsupported Expect), so such requests are counted, logged and traced like the app's own.
   */
  onRejected?: (rejection: Rejection) => void;
  /**
   * Time a client has to send a whole request, headers and body. Node's default is 300 s, so a
   * slow body held a socket (and its parser) for five minutes before anyone answered.
   */
  requestTimeoutMs?: number;
}

/** The one default for how long a request may take to arrive (the service's config reads it too). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Answers a client error through the response Node already made for the request, so the answer
 * goes the same way as every other: the response's 'finish' fires, and the access record, the
 * request_count sample and the server span all see the same status.
 */
function answerThroughResponse(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(status, code, message));
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    // The parser is broken for this connection: nothing after this answer can be read from it.
    connection: 'close',
  });
  res.end(body);
}

/** The service's HTTP server: the app, plus JSON answers for what Node rejects before the app. */
export function createHttpServer(app: RequestListener, options: HttpServerOptions = {}): Server {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = createServer(
    {
      requestTimeout,
      // Node requires headersTimeout <= requestTimeout; the headers get the same bound.
      headersTimeout: requestTimeout,
      // Node checks the two timeouts on this interval (default 30 s): keep the bound near its value.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4))),
    },
    app,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const res = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    // A reset connection cannot take an answer, nor can one whose response has begun to go out
    // (another status line would corrupt what the client is reading).
    if (error.code === 'ECONNRESET' || !socket.writable || res?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, code, message } = clientErrorAnswer(error);
    // An error in a request's body (bad chunk, a request timeout mid-body) comes after Node made
    // the response: answer through it, so the request is counted like any other. Before that
    // there is no request at all, only bytes on a socket.
    if (res) answerThroughResponse(res, status, code, message);
    else {
      answerOnSocket(socket, status, code, message);
      options.onRejected?.({ status, code });
    }
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
    options.onRejected?.({ status: 417, code: 'expectation_failed', method: req.method });
  });
  return server;
}
