/**
 * `npm run dashboards:build`: writes dashboards/json/*.json, which Grafana's file provider loads.
 * Commit the output; dashboards/dashboards.test.ts fails when it is stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from './render.ts';
import { REPO_ROOT } from '../../kit/layout.ts';

const outDir = join(REPO_ROOT, 'dashboards', 'json');
mkdirSync(outDir, { recursive: true });
const rendered = renderDashboards();
// A dashboard removed from the code must not linger as a stale file Grafana keeps loading.
for (const file of readdirSync(outDir)) if (file.endsWith('.json') && !(file in rendered)) rmSync(join(outDir, file));
for (const [file, text] of Object.entries(rendered)) writeFileSync(join(outDir, file), text);
console.log(`wrote ${Object.keys(rendered).length} dashboards to ${outDir}`);
