/**
 * Renders every dashboard to the exact text committed under dashboards/json/, so a test can
 * compare a fresh build with the committed files byte for byte.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { awsInventory } from './awsInventory.ts';
import { loadTest } from './loadTest.ts';
import { pipelineHealth } from './pipelineHealth.ts';
import { serviceOverview } from './serviceOverview.ts';

/** File name under dashboards/json/ -> dashboard. Order is the order Grafana lists them in the folder. */
export function buildDashboards(): Record<string, dashboard.Dashboard> {
  return {
    'service-overview.json': withPanelIds(serviceOverview()),
    'load-test.json': withPanelIds(loadTest()),
    'pipeline-health.json': withPanelIds(pipelineHealth()),
    'aws-inventory.json': withPanelIds(awsInventory()),
  };
}

/** Stable panel ids (1, 2, ...) in layout order: links such as ?viewPanel=3 keep pointing at the same panel. */
function withPanelIds(board: dashboard.Dashboard): dashboard.Dashboard {
  (board.panels ?? []).forEach((panel, i) => {
    panel.id = i + 1;
  });
  return board;
}

export function renderDashboards(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, board] of Object.entries(buildDashboards())) out[file] = JSON.stringify(board, null, 2) + '\n';
  return out;
}
