// `loki-door --host H --port P`: the native harness starts this on Loki's address.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../kit/layout.ts';
import { configuredIndexLabels } from './loki-mapping.ts';
import { createDoor } from './server.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '3100'));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`loki-door: --port must be 1..65535, got ${arg('port', '')}`);
  process.exit(2);
}
// The kit's own Loki settings decide the mapping, so the door maps records as that Loki would.
const extraIndexLabels = configuredIndexLabels(parse(readFileSync(path.join(REPO_ROOT, 'loki-config.yaml'), 'utf8')));
const { server, stats } = createDoor({ extraIndexLabels });
server.listen(port, host, () =>
  console.log(`loki-door listening on http://${host}:${port} (OTLP logs at /otlp/v1/logs)`),
);
const stop = () => {
  console.log(
    `loki-door stopping: ${stats.requests} requests, ${stats.rejected} rejected, ${stats.dropped} records dropped`,
  );
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
