import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { allPages, label, type InventoryCollector } from './types';

export const ebsVolumes: InventoryCollector = {
  name: 'ebs_volumes',
  kind: 'ebs_volume',
  service: 'ec2',
  scope: 'regional',
  permissions: ['ec2:DescribeVolumes'],
  async collect({ region, clients, call }) {
    const volumes = await allPages(
      (NextToken) =>
        call('DescribeVolumes', () => clients.ec2.send(new DescribeVolumesCommand({ NextToken, MaxResults: 500 }))),
      (page) => page.Volumes,
      (page) => page.NextToken,
    );
    return volumes.map((v) => ({ state: label(v.State), type: label(v.VolumeType), region }));
  },
};
