import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { allPages, label, type InventoryCollector } from './types';

export const rdsInstances: InventoryCollector = {
  name: 'rds_instances',
  kind: 'rds_instance',
  service: 'rds',
  scope: 'regional',
  permissions: ['rds:DescribeDBInstances'],
  async collect({ region, clients, call }) {
    const instances = await allPages(
      (Marker) =>
        call('DescribeDBInstances', () =>
          clients.rds.send(new DescribeDBInstancesCommand({ Marker, MaxRecords: 100 })),
        ),
      (page) => page.DBInstances,
      (page) => page.Marker,
    );
    // `type` is the engine (postgres, mysql, ...): the dimension an RDS bill and a migration plan care about.
    return instances.map((db) => ({ state: label(db.DBInstanceStatus), type: label(db.Engine), region }));
  },
};
