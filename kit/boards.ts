/**
 * The Grafana boards by uid and title: the dashboards build them under these names, and the lab
 * pages, `npm run scenario` and the tests point attendees at them. Node built-ins only (none, in
 * fact): `npm run scenario` imports this under Node's type stripping.
 */
export const BOARDS = {
  serviceOverview: { uid: 'service-overview', title: 'Service overview' },
  pipelineHealth: { uid: 'pipeline-health', title: 'Pipeline health' },
  loadTest: { uid: 'load-test', title: 'Load test' },
  awsInventory: { uid: 'aws-inventory', title: 'AWS inventory' },
} as const;

export type BoardKey = keyof typeof BOARDS;

/** Where a board opens in the stack's Grafana (compose publishes it on 127.0.0.1). */
export function boardPath(board: BoardKey): string {
  return `/d/${BOARDS[board].uid}`;
}
