import { describe, expect, it } from 'vitest';
import { compareGoSums, parseGoSum } from './go-sum.ts';

const reference = [
  'go.opentelemetry.io/collector/otelcol v0.143.0 h1:AAA=',
  'go.opentelemetry.io/collector/otelcol v0.143.0/go.mod h1:BBB=',
  'github.com/open-telemetry/opentelemetry-collector-contrib/exporter/awsxrayexporter v0.143.0 h1:CCC=',
].join('\n');

describe('go.sum comparison against ADOT', () => {
  it('parses module, version and hash, skipping comments', () => {
    expect([...parseGoSum(`# note\n${reference}\n`)]).toHaveLength(3);
  });

  it('counts equal hashes and ignores modules outside the prefixes', () => {
    const built = `${reference}\ngithub.com/stretchr/testify v1.0.0 h1:ZZZ=\n`;
    const check = compareGoSums(built, reference, [
      'go.opentelemetry.io/collector',
      'github.com/open-telemetry/opentelemetry-collector-contrib',
    ]);
    expect(check).toMatchObject({ matched: 3, mismatches: [], unvouched: [] });
  });

  it('names a module whose hash differs, and one the reference does not vouch for', () => {
    const built =
      'go.opentelemetry.io/collector/otelcol v0.143.0 h1:XXX=\ngo.opentelemetry.io/collector/extra v0.143.0 h1:YYY=\n';
    const check = compareGoSums(built, reference, ['go.opentelemetry.io/collector']);
    expect(check.mismatches).toEqual(['go.opentelemetry.io/collector/otelcol v0.143.0']);
    expect(check.unvouched).toEqual(['go.opentelemetry.io/collector/extra v0.143.0']);
  });

  it('does not take a longer module path for one under the prefix', () => {
    const check = compareGoSums('go.opentelemetry.io/collectorx v1 h1:Q=\n', reference, [
      'go.opentelemetry.io/collector',
    ]);
    expect(check.matched + check.mismatches.length + check.unvouched.length).toBe(0);
  });
});
