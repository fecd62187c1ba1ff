import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { allPages, label, type InventoryCollector } from './types';

export const vpcs: InventoryCollector = {
  name: 'vpcs',
  kind: 'vpc',
  service: 'ec2',
  scope: 'regional',
  permissions: ['ec2:DescribeVpcs'],
  async collect({ region, clients, call }) {
    const found = await allPages(
      (NextToken) =>
        call('DescribeVpcs', () => clients.ec2.send(new DescribeVpcsCommand({ NextToken, MaxResults: 500 }))),
      (page) => page.Vpcs,
      (page) => page.NextToken,
    );
    // Every region has a default VPC: telling it apart keeps "VPCs we made" readable.
    return found.map((vpc) => ({ state: label(vpc.State), type: vpc.IsDefault ? 'default' : 'custom', region }));
  },
};
