// The part of LogQL that selects log records, evaluated over Loki entries as the door sees
// them: stream matchers, line filters, label filters and the json parser. Metric queries are
// reduced to the records their log range selects. Anything else is refused by name, so a
// dashboard query the door cannot judge is reported, never passed silently.
// Parsed with @grafana/lezer-logql, the grammar Grafana's Loki editor uses.
import { parser } from '@grafana/lezer-logql';
import { type StoredLine, queryLabels } from './loki-mapping.ts';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export class UnsupportedAtDoor extends Error {}

type Predicate = (labels: Record<string, string>, line: string) => boolean;
interface Stage {
  kind: 'filter' | 'json';
  test?: Predicate;
}
export interface LogSelection {
  streamMatchers: Predicate[];
  stages: Stage[];
  /** The label names the query filters on (stream matchers and label filters). */
  labelNames: string[];
}

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  return JSON.parse(text) as string;
}

/** RE2's leading (?i) is a flag in JavaScript. Label matchers are anchored; line filters are not. */
function regex(pattern: string, anchored: boolean): RegExp {
  let flags = '';
  let body = pattern;
  if (body.startsWith('(?i)')) {
    flags = 'i';
    body = body.slice(4);
  }
  return new RegExp(anchored ? `^(?:${body})$` : body, flags);
}

function matcher(query: string, node: SyntaxNode): { name: string; test: (value: string | undefined) => boolean } {
  const id = node.getChild('Identifier');
  const str = node.getChild('String');
  const op = node.getChild('Eq') ?? node.getChild('Neq') ?? node.getChild('Re') ?? node.getChild('Nre');
  if (!id || !str || !op) throw new UnsupportedAtDoor(`matcher ${query.slice(node.from, node.to)}`);
  const name = query.slice(id.from, id.to);
  const value = unquote(query.slice(str.from, str.to));
  switch (op.name) {
    case 'Eq':
      return { name, test: (v) => (v ?? '') === value };
    case 'Neq':
      return { name, test: (v) => (v ?? '') !== value };
    case 'Re': {
      const re = regex(value, true);
      return { name, test: (v) => re.test(v ?? '') };
    }
    default: {
      const re = regex(value, true);
      return { name, test: (v) => !re.test(v ?? '') };
    }
  }
}

function lineFilter(query: string, node: SyntaxNode): Predicate {
  const filter = node.getChild('Filter');
  const str = node.getChild('String');
  if (!filter || !str || node.getChild('FilterOp') || node.getChild('OrFilter'))
    throw new UnsupportedAtDoor(`line filter ${query.slice(node.from, node.to)}`);
  const value = unquote(query.slice(str.from, str.to));
  const op = filter.firstChild?.name;
  switch (op) {
    case 'PipeExact':
      return (_l, line) => line.includes(value);
    case 'Neq':
      return (_l, line) => !line.includes(value);
    case 'PipeMatch': {
      const re = regex(value, false);
      return (_l, line) => re.test(line);
    }
    case 'Nre': {
      const re = regex(value, false);
      return (_l, line) => !re.test(line);
    }
    default:
      throw new UnsupportedAtDoor(`line filter ${query.slice(node.from, node.to)}`);
  }
}

function collect(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = node.cursor();
  do {
    if (cursor.name === name) out.push(cursor.node);
  } while (cursor.next() && cursor.from < node.to);
  return out;
}

/** The log selection of a log query, or of the (single) log range inside a metric query. */
export function parseSelection(query: string): LogSelection {
  const tree = parser.parse(query);
  let error: string | undefined;
  tree.iterate({
    enter(n) {
      if (n.type.isError && !error)
        error = `syntax error at ${n.from}: …${query.slice(Math.max(0, n.from - 20), n.from + 20)}…`;
    },
  });
  if (error) throw new UnsupportedAtDoor(error);
  const selectors = collect(tree.topNode, 'Selector');
  if (selectors.length !== 1)
    throw new UnsupportedAtDoor(`${selectors.length} stream selectors (the door judges exactly one)`);
  const selector = selectors[0]!;
  const labelNames: string[] = [];
  const streamMatchers = collect(selector, 'Matcher').map((m) => {
    const { name, test } = matcher(query, m);
    labelNames.push(name);
    return (labels: Record<string, string>) => test(labels[name]);
  });
  const stages: Stage[] = [];
  for (const stage of collect(tree.topNode, 'PipelineStage')) {
    const labelFilter = stage.getChild('LabelFilter');
    const lineFilters = stage.getChild('LineFilters');
    const parserNode = stage.getChild('LabelParser');
    if (lineFilters) {
      for (const lf of collect(lineFilters, 'LineFilter')) stages.push({ kind: 'filter', test: lineFilter(query, lf) });
    } else if (labelFilter) {
      const m = labelFilter.getChild('Matcher');
      if (!m || labelFilter.getChild('And') || labelFilter.getChild('Or'))
        throw new UnsupportedAtDoor(`label filter ${query.slice(labelFilter.from, labelFilter.to)}`);
      const { name, test } = matcher(query, m);
      labelNames.push(name);
      stages.push({ kind: 'filter', test: (labels) => test(labels[name]) });
    } else if (
      parserNode &&
      parserNode.getChild('Json') &&
      query.slice(parserNode.from, parserNode.to).trim() === 'json'
    ) {
      stages.push({ kind: 'json' });
    } else {
      throw new UnsupportedAtDoor(`pipeline stage ${query.slice(stage.from, stage.to)}`);
    }
  }
  return { streamMatchers, stages, labelNames };
}

/** Loki's json parser: top-level and nested keys joined with "_"; an existing label wins. */
function jsonLabels(line: string, labels: Record<string, string>): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ...labels, __error__: 'JSONParserErr' };
  }
  const out = { ...labels };
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}_${k}` : k);
    } else if (prefix && !(prefix in labels)) {
      out[prefix.replace(/[^A-Za-z0-9_]/g, '_')] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  walk(parsed, '');
  return out;
}

export function selects(selection: LogSelection, entry: StoredLine): boolean {
  if (!selection.streamMatchers.every((m) => m(entry.labels, entry.line))) return false;
  let labels = queryLabels(entry);
  for (const stage of selection.stages) {
    if (stage.kind === 'json') labels = jsonLabels(entry.line, labels);
    else if (!stage.test!(labels, entry.line)) return false;
  }
  return true;
}

/** The entries a log query (or a metric query's log range) selects. */
export function select<T extends StoredLine>(query: string, entries: readonly T[]): T[] {
  const selection = parseSelection(query);
  return entries.filter((e) => selects(selection, e));
}
