/**
 * Syntax checks with the grammars Grafana's own query editors use, and the metric names a
 * PromQL query selects. Used by the tests; kept out of the dashboards' import graph.
 */
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { type QueryLanguage, parseJaegerQuery } from '../../kit/dashboard-targets.ts';

const PARSERS = { promql: promqlParser, logql: logqlParser } as const;

/** Positions and surrounding text of every syntax error; empty when the query parses. */
export function syntaxErrors(language: QueryLanguage, query: string): string[] {
  if (language === 'jaeger') return jaegerQueryErrors(query);
  const errors: string[] = [];
  PARSERS[language].parse(query).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`at ${node.from}: …${query.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
    },
  });
  if (query.trim() === '') errors.push('empty query');
  return errors;
}

/** The metric names a PromQL query selects (the identifier of each vector selector). */
export function promqlMetricNames(query: string): string[] {
  const found = new Set<string>();
  promqlParser.parse(query).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier) found.add(query.slice(identifier.from, identifier.to));
      // {__name__="x"} selects a metric too; it must not slip past the name check.
      if (/__name__/.test(query.slice(node.from, node.to)))
        found.add(`(selector by __name__: ${query.slice(node.from, node.to)})`);
    },
  });
  return [...found];
}

/** The metric names every dashboard may query: one per line in dashboards/known-metrics/*.txt. */
export function parseKnownMetrics(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** logfmt pairs as the Jaeger plugin reads its tags field: key=value or key="quoted value". */
const LOGFMT_PAIR = /^\s*[^\s="]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*)(?=\s|$)/;

/**
 * What the Jaeger datasource would refuse or silently ignore: an unknown queryType, a search
 * without a service, tags that are not logfmt, a limit that is not a positive integer.
 */
export function jaegerQueryErrors(rawQuery: string): string[] {
  let query;
  try {
    query = parseJaegerQuery(rawQuery);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  const errors: string[] = [];
  if (!['search', 'dependencyGraph', ''].includes(query.queryType))
    errors.push(`unknown queryType "${query.queryType}"`);
  if (query.queryType === 'search') {
    if (!query.service) errors.push('a search needs a service');
    if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit > 0))
      errors.push(`limit must be a positive integer, got ${query.limit}`);
    let rest = query.tags ?? '';
    while (rest.trim() !== '') {
      const pair = LOGFMT_PAIR.exec(rest);
      if (!pair) {
        errors.push(`tags are not logfmt near "${rest.trim().slice(0, 30)}"`);
        break;
      }
      rest = rest.slice(pair[0].length);
    }
  }
  return errors;
}
