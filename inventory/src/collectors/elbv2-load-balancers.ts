import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { allPages, label, type InventoryCollector } from './types';

export const elbv2LoadBalancers: InventoryCollector = {
  name: 'elbv2_load_balancers',
  kind: 'load_balancer',
  service: 'elbv2',
  scope: 'regional',
  permissions: ['elasticloadbalancing:DescribeLoadBalancers'],
  async collect({ region, clients, call }) {
    const balancers = await allPages(
      (Marker) =>
        call('DescribeLoadBalancers', () =>
          clients.elbv2.send(new DescribeLoadBalancersCommand({ Marker, PageSize: 400 })),
        ),
      (page) => page.LoadBalancers,
      (page) => page.NextMarker,
    );
    return balancers.map((lb) => ({ state: label(lb.State?.Code), type: label(lb.Type), region }));
  },
};
