import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';

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
  requestTimeoutMs: number;
}

/**
 * The SDK clients of one region, made once and reused. maxAttempts 1: the inventory's own retry
 * (retry.ts) owns backoff, so each attempt is a span and each failure is counted. Timeouts are
 * set because the SDK's default is to wait forever on a silent socket.
 */
export function clientFactory(options: ClientOptions): (region: string) => RegionClients {
  const cache = new Map<string, RegionClients>();
  return (region) => {
    let clients = cache.get(region);
    if (!clients) {
      const common = {
        region,
        maxAttempts: 1,
        requestHandler: { requestTimeout: options.requestTimeoutMs, connectionTimeout: options.requestTimeoutMs },
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
      cache.set(region, clients);
    }
    return clients;
  };
}
