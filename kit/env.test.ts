import { describe, expect, it } from 'vitest';
import { ConfigError, interpolate, interpolations, withoutEmptyValues } from './env.ts';

describe('empty means unset', () => {
  it('drops empty and undefined values, keeps everything else as written', () => {
    expect(withoutEmptyValues({ PORT: '', HOST: '0.0.0.0', X: undefined, ZERO: '0' })).toEqual({
      HOST: '0.0.0.0',
      ZERO: '0',
    });
  });

  it('ConfigError is an Error with its own name', () => {
    const error = new ConfigError('PORT: must be an integer');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });
});

describe('${VAR:-default} (compose) and ${env:VAR:-default} (collector)', () => {
  const text = 'a=${A:-1} b=${env:B:-2} c=${C} d=${D-4} e=${E:?required}';

  it('finds each spelling only where its program reads it', () => {
    expect(interpolations(text, 'compose').map((i) => [i.name, i.fallback])).toEqual([
      ['A', '1'],
      ['C', undefined],
      ['D', '4'],
      ['E', undefined],
    ]);
    expect(interpolations(text, 'collector').map((i) => [i.name, i.fallback])).toEqual([['B', '2']]);
    expect(interpolations(text).map((i) => i.name)).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('expands as compose does: `:-` on unset or empty, `-` on unset only', () => {
    expect(interpolate('${A:-1}|${D-4}', {}, 'compose')).toBe('1|4');
    expect(interpolate('${A:-1}|${D-4}', { A: '', D: '' }, 'compose')).toBe('1|');
    expect(interpolate('${A:-1}|${D-4}', { A: 'x', D: 'y' }, 'compose')).toBe('x|y');
  });

  it('leaves the other spelling alone', () => {
    expect(interpolate('${env:B:-2} ${A:-1}', { A: 'a', B: 'b' }, 'compose')).toBe('${env:B:-2} a');
    expect(interpolate('${env:B:-2} ${A:-1}', { A: 'a', B: 'b' }, 'collector')).toBe('b ${A:-1}');
  });

  it('expands the same variable written twice', () => {
    expect(interpolate('${P:-8080}:${P:-8080}', {}, 'compose')).toBe('8080:8080');
  });
});
