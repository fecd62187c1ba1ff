import { Transform, type Readable } from 'node:stream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { BadResponseError } from './errors';

export interface RegionClients {
  ec2: EC2Client;
  rds: RDSClient;
  s3: S3Client;
  lambda: LambdaClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface ClientOptions {
  /** One endpoint for every service (moto, or a proxy in front of it); unset means real AWS. */
  endpoint?: string;
  /** The bound of one attempt, from sending the request to the last byte of the answer. */
  requestTimeoutMs: number;
  /** The largest answer read; a larger one fails the attempt before it is held in memory. */
  maxResponseBytes: number;
}

/** A timeout as the SDK's own handler reports one, so the SDK's classifiers and ours see a network error. */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

type HttpResponseLike = { statusCode: number; headers: Record<string, string>; body?: unknown };

/**
 * Wraps a raw answer's body before the SDK's deserializer reads it: the bytes read are counted
 * and the read fails past `maxBytes` (a declared Content-Length past it fails at once), and the
 * body must end by `deadline`. The SDK's requestTimeout only covers the wait for the headers; a
 * body that trickles in, or one of 100 MiB (about 1 GiB resident once parsed), was unbounded.
 */
function boundBody(response: HttpResponseLike, maxBytes: number, deadline: number): void {
  const body = response.body as Readable | undefined;
  if (!body || typeof body.pipe !== 'function') return;
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    body.destroy();
    throw new BadResponseError(`answer of ${declared} bytes exceeds the ${maxBytes}-byte cap`);
  }
  // Every successful answer of the APIs the inventory calls has a body; an empty 200 (a proxy or
  // an endpoint gone wrong) would otherwise parse as "no resources" and zero every series.
  const success = response.statusCode >= 200 && response.statusCode < 300;
  if (success && declared === 0) {
    body.destroy();
    throw new BadResponseError('empty answer with a success status');
  }
  let seen = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new BadResponseError(`answer exceeds the ${maxBytes}-byte cap`));
      else done(null, chunk);
    },
    flush(done) {
      done(success && seen === 0 ? new BadResponseError('empty answer with a success status') : null);
    },
  });
  const timer = setTimeout(
    () => bounded.destroy(timeoutError(`the answer did not arrive in full within the request timeout`)),
    Math.max(0, deadline - Date.now()),
  );
  timer.unref();
  bounded.once('close', () => {
    clearTimeout(timer);
    body.destroy();
  });
  body.once('error', (error) => bounded.destroy(error));
  body.pipe(bounded);
  response.body = bounded;
}

type Middleware = Parameters<EC2Client['middlewareStack']['add']>[0];

function boundedAnswers(options: ClientOptions): Middleware {
  return (next) => async (args) => {
    const deadline = Date.now() + options.requestTimeoutMs;
    const result = await next(args);
    boundBody(result.response as HttpResponseLike, options.maxResponseBytes, deadline);
    return result;
  };
}

/**
 * The SDK clients of one region, made once and reused. maxAttempts 1: the inventory's own retry
 * (retry.ts) owns backoff, so each attempt is a span and each failure is counted. Every attempt
 * has a deadline: @smithy/node-http-handler 4.x only warns at requestTimeout unless
 * throwOnRequestTimeout is set, and waits forever on a silent socket without a socketTimeout.
 */
export function clientFactory(options: ClientOptions): (region: string) => RegionClients {
  const cache = new Map<string, RegionClients>();
  return (region) => {
    let clients = cache.get(region);
    if (!clients) {
      const common = {
        region,
        maxAttempts: 1,
        requestHandler: {
          requestTimeout: options.requestTimeoutMs,
          throwOnRequestTimeout: true,
          connectionTimeout: options.requestTimeoutMs,
          socketTimeout: options.requestTimeoutMs,
        },
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      };
      clients = {
        ec2: new EC2Client(common),
        rds: new RDSClient(common),
        // A local endpoint has no per-bucket DNS names: address buckets by path there.
        s3: new S3Client({ ...common, forcePathStyle: Boolean(options.endpoint) }),
        lambda: new LambdaClient(common),
        elbv2: new ElasticLoadBalancingV2Client(common),
      };
      // Innermost in the deserialize step ('low'): it sees the raw answer before the deserializer reads it.
      for (const client of Object.values(clients) as { middlewareStack: EC2Client['middlewareStack'] }[])
        client.middlewareStack.add(boundedAnswers(options), {
          step: 'deserialize',
          priority: 'low',
          name: 'inventoryBoundedAnswers',
        });
      cache.set(region, clients);
    }
    return clients;
  };
}
