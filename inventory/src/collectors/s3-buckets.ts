import { GetBucketLocationCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { allPages, type InventoryCollector } from './types';

/** GetBucketLocation's answer for a bucket's region: empty means us-east-1, `EU` the old name of eu-west-1. */
export function regionFromLocation(constraint: string | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * S3 is global: one ListBuckets lists every bucket of the account, each labelled with its own
 * region. Newer endpoints name the region in the listing; others (moto among them) need a
 * GetBucketLocation per bucket.
 */
export const s3Buckets: InventoryCollector = {
  name: 's3_buckets',
  kind: 's3_bucket',
  service: 's3',
  scope: 'global',
  permissions: ['s3:ListAllMyBuckets', 's3:GetBucketLocation'],
  async collect({ clients, call }) {
    const buckets = await allPages(
      (ContinuationToken) =>
        call('ListBuckets', () => clients.s3.send(new ListBucketsCommand({ ContinuationToken, MaxBuckets: 1000 }))),
      (page) => page.Buckets,
      (page) => page.ContinuationToken,
    );
    const resources = [];
    for (const bucket of buckets) {
      let region = bucket.BucketRegion;
      if (!region) {
        const location = await call('GetBucketLocation', () =>
          clients.s3.send(new GetBucketLocationCommand({ Bucket: bucket.Name })),
        );
        region = regionFromLocation(location.LocationConstraint);
      }
      resources.push({ state: 'active', type: 'general_purpose', region });
    }
    return resources;
  },
};
