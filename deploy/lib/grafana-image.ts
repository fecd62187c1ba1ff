// The build context of the Grafana image asset, assembled at synth: Grafana on Fargate cannot
// bind-mount the provisioning files compose mounts, so they are baked into an image FROM the
// pinned Grafana (deploy/images/grafana/Dockerfile). The directory's name is the hash of its
// content, so a second synth reuses it and the asset hash changes only with the content.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../kit/layout.ts';
import { awsDatasourcesYaml } from './grafana-datasources.ts';

/** Relative path in the build context -> file content source (a repo file, or generated text). */
export function grafanaImageFiles(repo: string = REPO_ROOT): Map<string, { from: string } | { text: string }> {
  const files = new Map<string, { from: string } | { text: string }>();
  files.set('Dockerfile', { from: path.join(repo, 'deploy', 'images', 'grafana', 'Dockerfile') });
  files.set('provisioning/datasources/datasources.yaml', { text: awsDatasourcesYaml(repo) });
  const providers = path.join(repo, 'dashboards', 'provisioning', 'dashboards');
  for (const file of readdirSync(providers))
    files.set(`provisioning/dashboards/${file}`, { from: path.join(providers, file) });
  const boards = path.join(repo, 'dashboards', 'json');
  for (const file of readdirSync(boards).filter((f) => f.endsWith('.json')))
    files.set(`dashboards/${file}`, { from: path.join(boards, file) });
  return files;
}

export function grafanaImageContext(repo: string = REPO_ROOT, parent: string = os.tmpdir()): string {
  const files = [...grafanaImageFiles(repo)].sort(([a], [b]) => a.localeCompare(b));
  const hash = createHash('sha256');
  for (const [relative, source] of files)
    hash
      .update(relative)
      .update('\0')
      .update('text' in source ? source.text : readFileSync(source.from))
      .update('\0');
  const dir = path.join(parent, `otel-kit-grafana-image-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  // Written aside and renamed, so a concurrent synth never sees a half-written context.
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  for (const [relative, source] of files) {
    const target = path.join(partial, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    if ('text' in source) writeFileSync(target, source.text);
    else copyFileSync(source.from, target);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}
