// Rebuilds, from the datasources Grafana provisions (read from the provisioning files by
// kit/grafana-provisioning.ts, or as Grafana's own API returns them), the links Grafana would
// follow: a Loki derived field (log -> trace), the trace datasource's tracesToLogsV2 query
// (trace -> logs) and the Prometheus exemplar destinations (exemplar -> trace). A link that is
// wrong in the file is wrong here too. Shared by the e2e and `npm run verify`; no packages, so
// `npm run verify` loads it by type stripping.

export interface DerivedField {
  name: string;
  matcherType?: string;
  matcherRegex: string;
  datasourceUid?: string;
  url?: string;
}
export interface TracesToLogsV2 {
  datasourceUid: string;
  customQuery?: boolean;
  query?: string;
  tags?: { key: string; value?: string }[];
  filterByTraceId?: boolean;
  filterBySpanId?: boolean;
}
export interface ExemplarDestination {
  name: string;
  datasourceUid?: string;
  url?: string;
}
export interface Datasource {
  name: string;
  uid: string;
  type: string;
  jsonData?: {
    derivedFields?: DerivedField[];
    tracesToLogsV2?: TracesToLogsV2;
    exemplarTraceIdDestinations?: ExemplarDestination[];
  };
}

/** The Loki derived field that links to the datasource with `targetUid`. */
export function derivedFieldTo(datasources: Datasource[], targetUid: string): DerivedField {
  const loki = datasources.find((d) => d.type === 'loki');
  const field = loki?.jsonData?.derivedFields?.find((f) => f.datasourceUid === targetUid);
  if (!field) throw new Error(`no Loki derived field links to datasource uid "${targetUid}"`);
  return field;
}

/**
 * The value Grafana's derived field extracts from one Loki log line: with matcherType "label"
 * the matcher names a label or structured-metadata field; otherwise it is a regex over the line
 * whose first group is the value.
 */
export function extractDerivedValue(
  field: DerivedField,
  labels: Record<string, string>,
  line: string,
): string | undefined {
  if (field.matcherType === 'label') {
    const re = new RegExp(`^(?:${field.matcherRegex})$`);
    const key = Object.keys(labels).find((k) => re.test(k));
    return key === undefined ? undefined : labels[key];
  }
  return new RegExp(field.matcherRegex).exec(line)?.[1];
}

export interface SpanForLinks {
  traceId: string;
  spanId: string;
  name: string;
  tags: Record<string, string>;
}

/**
 * A trace datasource's tracesToLogsV2 as Grafana builds it for one span: the custom query
 * interpolated, or tags + id filters.
 */
export function tracesToLogsQuery(
  datasources: Datasource[],
  traceDatasourceUid: string,
  span: SpanForLinks,
): { datasourceUid: string; query: string } {
  const traces = datasources.find((d) => d.uid === traceDatasourceUid);
  const cfg = traces?.jsonData?.tracesToLogsV2;
  if (!cfg) throw new Error(`the datasource "${traceDatasourceUid}" has no tracesToLogsV2 settings`);
  if (cfg.customQuery && cfg.query)
    return { datasourceUid: cfg.datasourceUid, query: interpolateSpanMacros(cfg.query, span) };
  const selectors = (cfg.tags ?? [])
    .filter((t) => span.tags[t.key] !== undefined)
    .map((t) => `${(t.value || t.key).replace(/\./g, '_')}="${span.tags[t.key]}"`);
  let query = `{${selectors.join(', ')}}`;
  if (cfg.filterByTraceId) query += ` |="${span.traceId}"`;
  if (cfg.filterBySpanId) query += ` |="${span.spanId}"`;
  return { datasourceUid: cfg.datasourceUid, query };
}

/**
 * Grafana's span macros. A tag the span does not carry is an error, not an empty string: Grafana
 * then shows no logs link at all (seen with Jaeger spans, whose process tags lack service.name).
 */
export function interpolateSpanMacros(template: string, span: SpanForLinks): string {
  const tag = (key: string) => {
    const value = span.tags[key];
    if (value === undefined)
      throw new Error(
        `the trace -> logs query uses the span tag "${key}", which this span does not carry: Grafana would hide the link`,
      );
    return value;
  };
  return template
    .replace(/\$\{__(?:trace|span)\.traceId\}/g, span.traceId)
    .replace(/\$\{__span\.spanId\}/g, span.spanId)
    .replace(/\$\{__span\.name\}/g, span.name)
    .replace(/\$\{__span\.tags\[["']([^"']+)["']\]\}/g, (_m, key: string) => tag(key))
    .replace(/\$\{__span\.tags\.([\w.]+)\}/g, (_m, key: string) => tag(key));
}

/**
 * The links Grafana makes for one exemplar: every destination of the Prometheus datasource
 * whose label name the exemplar carries, with `${__value.raw}` in a URL replaced by the value.
 */
export function exemplarLinks(
  datasources: Datasource[],
  prometheusUid: string,
  exemplarLabels: Record<string, string>,
): { value: string; datasourceUid?: string; url?: string }[] {
  const destinations = datasources.find((d) => d.uid === prometheusUid)?.jsonData?.exemplarTraceIdDestinations ?? [];
  return destinations
    .filter((d) => exemplarLabels[d.name] !== undefined)
    .map((d) => {
      const value = exemplarLabels[d.name]!;
      return {
        value,
        ...(d.datasourceUid ? { datasourceUid: d.datasourceUid } : {}),
        ...(d.url ? { url: d.url.replace('${__value.raw}', value) } : {}),
      };
    });
}
