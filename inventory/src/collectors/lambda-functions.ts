import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { allPages, label, type InventoryCollector } from './types';

export const lambdaFunctions: InventoryCollector = {
  name: 'lambda_functions',
  kind: 'lambda_function',
  service: 'lambda',
  scope: 'regional',
  permissions: ['lambda:ListFunctions'],
  async collect({ region, clients, call }) {
    const functions = await allPages(
      (Marker) => call('ListFunctions', () => clients.lambda.send(new ListFunctionsCommand({ Marker, MaxItems: 50 }))),
      (page) => page.Functions,
      (page) => page.NextMarker,
    );
    // Container-image functions have no runtime; ListFunctions leaves State out on real AWS (active then).
    return functions.map((fn) => ({
      state: label(fn.State, 'active'),
      type: label(fn.Runtime, fn.PackageType === 'Image' ? 'image' : 'unknown'),
      region,
    }));
  },
};
