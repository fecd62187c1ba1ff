import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { allPages, label, type InventoryCollector } from './types';

export const ec2Instances: InventoryCollector = {
  name: 'ec2_instances',
  kind: 'ec2_instance',
  service: 'ec2',
  scope: 'regional',
  permissions: ['ec2:DescribeInstances'],
  async collect({ region, clients, call }) {
    const reservations = await allPages(
      (NextToken) =>
        call('DescribeInstances', () =>
          // 100 a page: an instance is several KB of XML, so a page stays well under maxResponseBytes.
          clients.ec2.send(new DescribeInstancesCommand({ NextToken, MaxResults: 100 })),
        ),
      (page) => page.Reservations,
      (page) => page.NextToken,
    );
    return reservations
      .flatMap((r) => r.Instances ?? [])
      .map((i) => ({ state: label(i.State?.Name), type: label(i.InstanceType), region }));
  },
};
