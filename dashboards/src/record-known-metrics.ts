// Rewrites dashboards/known-metrics/*.txt from a real Prometheus after a load run, so the
// dashboards test checks metric names against what the collector, k6 and Jaeger really emitted,
// not against documentation. Usage (native stack running, after `npm run load -- counted`):
//   node scripts/require-node.cjs record dashboards/src/record-known-metrics.ts [prometheus URL; default: the native stack's]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, nativeUrls } from '../../kit/layout.ts';

const SOURCES: { file: string; prefix: string; what: string }[] = [
  {
    file: 'collector.txt',
    prefix: 'otelcol_',
    what: "the collector's internal telemetry (Prometheus reader on :8888, scraped by Prometheus)",
  },
  {
    file: 'k6.txt',
    prefix: 'k6_',
    what: "k6's OpenTelemetry output (K6_OTEL_METRIC_PREFIX=k6_) through the collector's prometheusremotewrite",
  },
  {
    file: 'jaeger.txt',
    prefix: 'traces_',
    what: "Jaeger's spanmetrics connector (jaeger.yaml), scraped by Prometheus from jaeger:8889",
  },
];

async function main(): Promise<void> {
  const prometheus = process.argv[2] ?? nativeUrls().prometheus;
  const res = await fetch(`${prometheus}/api/v1/label/__name__/values`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${prometheus}: ${res.status} ${await res.text()}`);
  const names = ((await res.json()) as { data: string[] }).data;
  const stamp = new Date().toISOString().slice(0, 10);
  for (const { file, prefix, what } of SOURCES) {
    const found = names.filter((n) => n.startsWith(prefix)).sort();
    if (found.length === 0) throw new Error(`no ${prefix}* series in ${prometheus}: run the load first`);
    const path = join(REPO_ROOT, 'dashboards', 'known-metrics', file);
    // Names a run creates only on some event (k6 makes a Rate's `occurred` counter at its first
    // nonzero sample) are kept when written with a reason after them and not seen this time.
    const annotated = existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => /^\S+\s+#\s*\S/.test(l) && !found.includes(l.split(/\s/)[0]!))
      : [];
    const header = [
      `# recorded from a real run on ${stamp} by dashboards/src/record-known-metrics.ts`,
      `# Source: ${what}.`,
      "# One Prometheus series name per line; '#' starts a comment.",
    ];
    writeFileSync(path, [...header, ...found, ...annotated, ''].join('\n'));
    console.log(`${file}: ${found.length} names`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
