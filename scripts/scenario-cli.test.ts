import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, SCENARIO_NAMES, renderFlagFile, scenariosOnIn, type ScenarioName } from '../kit/scenarios.ts';
import { flagFileFrom, runScenarioCommand, type ScenarioIo } from './scenario-cli.ts';

function fakeIo(initial: string | undefined) {
  const state = { text: initial, out: [] as string[], err: [] as string[], writes: 0 };
  const io: ScenarioIo = {
    file: 'flags/scenarios.flagd.json',
    read: () => state.text,
    write: (text) => {
      state.text = text;
      state.writes += 1;
    },
    out: (line) => state.out.push(line),
    err: (line) => state.err.push(line),
  };
  return { io, state, on: () => [...scenariosOnIn(state.text ?? '{"flags":{}}').on] };
}
const allOff = renderFlagFile(new Set());

describe('npm run scenario', () => {
  it('list: every scenario with what it breaks and on/off', () => {
    const { io, state } = fakeIo(renderFlagFile(new Set<ScenarioName>(['cpu-block'])));
    expect(runScenarioCommand(['list'], io)).toBe(0);
    for (const name of SCENARIO_NAMES) {
      const line = state.out.find((l) => l.includes(` ${name} `));
      expect(line, name).toContain(SCENARIOS[name].breaks);
      expect(line).toMatch(name === 'cpu-block' ? / ON / : / off /);
    }
    expect(state.writes).toBe(0);
  });

  it('<name> on turns that one on, keeps the others, and says which board, panel, alert and lab page', () => {
    const { io, state, on } = fakeIo(renderFlagFile(new Set<ScenarioName>(['log-flood'])));
    expect(runScenarioCommand(['slow-store', 'on'], io)).toBe(0);
    expect(on().sort()).toEqual(['log-flood', 'slow-store']);
    const said = state.out.join('\n');
    expect(said).toContain('Service overview');
    expect(said).toContain('/d/service-overview');
    expect(said).toContain(SCENARIOS['slow-store'].panel);
    expect(said).toContain(SCENARIOS['slow-store'].alert);
    expect(said).toContain('labs/slow-store.md');
    expect(runScenarioCommand(['slow-store', 'off'], io)).toBe(0);
    expect(on()).toEqual(['log-flood']);
  });

  it('off turns every scenario off, and keeps flags that are not scenarios', () => {
    const withExtra = JSON.parse(renderFlagFile(new Set(SCENARIO_NAMES))) as { flags: Record<string, unknown> };
    withExtra.flags['my-own-flag'] = { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' };
    const { io, state, on } = fakeIo(JSON.stringify(withExtra));
    expect(runScenarioCommand(['off'], io)).toBe(0);
    expect(on()).toEqual([]);
    expect(JSON.parse(state.text!).flags['my-own-flag']).toBeDefined();
  });

  it('refuses an unknown name with exit 2 and the list, writing nothing', () => {
    const { io, state } = fakeIo(allOff);
    expect(runScenarioCommand(['slow-stor', 'on'], io)).toBe(2);
    expect(state.err[0]).toContain('unknown scenario "slow-stor"');
    for (const name of SCENARIO_NAMES) expect(state.err.join('\n')).toContain(name);
    expect(state.writes).toBe(0);
  });

  it('refuses a missing or wrong on/off with exit 2', () => {
    for (const args of [['slow-store'], ['slow-store', 'maybe'], ['slow-store', 'on', 'extra'], ['list', 'x']]) {
      const { io, state } = fakeIo(allOff);
      expect(runScenarioCommand(args, io), args.join(' ')).toBe(2);
      expect(state.writes).toBe(0);
    }
  });

  it('a missing flag file reads as every scenario off, and on creates it', () => {
    const { io, on } = fakeIo(undefined);
    expect(runScenarioCommand(['list'], io)).toBe(0);
    expect(runScenarioCommand(['memory-leak', 'on'], io)).toBe(0);
    expect(on()).toEqual(['memory-leak']);
  });

  it('an unreadable flag file is not overwritten by on/off (exit 1), but off-for-all writes a fresh one', () => {
    const { io, state, on } = fakeIo('{"flags": {');
    expect(runScenarioCommand(['slow-store', 'on'], io)).toBe(1);
    expect(state.err[0]).toMatch(/cannot be read .*not JSON/);
    expect(state.writes).toBe(0);
    expect(runScenarioCommand(['off'], io)).toBe(0);
    expect(on()).toEqual([]);
  });

  it('finds the flag file where the service does: FLAGD_OFFLINE_FLAG_SOURCE_PATH, else the kit default', () => {
    expect(flagFileFrom({})).toBe('flags/scenarios.flagd.json');
    expect(flagFileFrom({ FLAGD_OFFLINE_FLAG_SOURCE_PATH: '' })).toBe('flags/scenarios.flagd.json');
    expect(flagFileFrom({ FLAGD_OFFLINE_FLAG_SOURCE_PATH: '/tmp/x.json' })).toBe('/tmp/x.json');
  });
});

describe('npm run scenario on any input', () => {
  it('any arguments and any flag file text: exit 0, 1 or 2, and whatever it writes is a flag file it reads back', () => {
    const fileText = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.json(),
      fc.constantFrom(allOff, renderFlagFile(new Set(SCENARIO_NAMES)), '{"flags": []}', '{"flags": {"slow-store": 1}}'),
    );
    const arg = fc.oneof(fc.constantFrom(...SCENARIO_NAMES, 'on', 'off', 'list', ''), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fileText, fc.array(arg, { maxLength: 4 }), (text, args) => {
        const { io, state } = fakeIo(text);
        const code = runScenarioCommand(args, io);
        expect([0, 1, 2]).toContain(code);
        if (code !== 0) expect(state.writes).toBe(0);
        if (state.writes > 0) expect(() => scenariosOnIn(state.text!)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
