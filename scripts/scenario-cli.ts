/**
 * `npm run scenario`: the decisions, with the file system passed in so tests drive it directly.
 * scripts/scenario.ts only wires it to the real files and process. Node built-ins only (none here):
 * Node 24 runs it by type stripping, with no install.
 */
import { BOARDS, boardPath } from '../kit/boards.ts';
import { PORTS, url } from '../kit/layout.ts';
import {
  ENV_FLAG_FILE,
  FLAG_FILE,
  FLAG_CHANGE_BOUND_SECONDS,
  SCENARIOS,
  SCENARIO_NAMES,
  isScenarioName,
  labPage,
  renderFlagFile,
  scenariosOnIn,
  type ScenarioName,
} from '../kit/scenarios.ts';

export const USAGE = [
  'usage: npm run scenario -- list             every scenario, what it breaks, on or off',
  '       npm run scenario -- <name> on|off    switch one scenario',
  '       npm run scenario -- off              switch every scenario off',
].join('\n');

export interface ScenarioIo {
  /** The flag file's text, or undefined when it does not exist. */
  read(): string | undefined;
  /** Replaces the flag file (atomically: a temporary file renamed over it). */
  write(text: string): void;
  out(line: string): void;
  err(line: string): void;
  /** The flag file as shown to the user. */
  file: string;
}

/** Where the flag file is: the env var the service reads, else the kit's default (relative to the repo). */
export function flagFileFrom(env: Record<string, string | undefined>): string {
  const configured = env[ENV_FLAG_FILE];
  return configured && configured.trim() !== '' ? configured : FLAG_FILE;
}

export function listLines(on: ReadonlySet<ScenarioName>): string[] {
  const width = Math.max(...SCENARIO_NAMES.map((name) => name.length));
  return SCENARIO_NAMES.map((name) => {
    const state = on.has(name) ? 'ON ' : 'off';
    return `  ${name.padEnd(width)}  ${state}  ${SCENARIOS[name].breaks}  (${labPage(name)})`;
  });
}

/** What to open once a scenario is on: the board and panel, the alert, the lab page. */
export function whereToLook(name: ScenarioName): string[] {
  const scenario = SCENARIOS[name];
  const board = BOARDS[scenario.board];
  return [
    `Open Grafana: ${board.title} (${url('127.0.0.1', PORTS.grafana, boardPath(scenario.board))}), panel "${scenario.panel}".`,
    `Alert that should fire: ${scenario.alert} (Prometheus: ${url('127.0.0.1', PORTS.prometheus, '/alerts')}; ` +
      'on the native stack Prometheus listens on its own loopback IP, see native/README.md).',
    `Lab page: ${labPage(name)}`,
  ];
}

function readState(io: ScenarioIo): { on: Set<ScenarioName>; keep: Record<string, unknown> } | { problem: string } {
  const text = io.read();
  if (text === undefined) return { on: new Set(), keep: {} };
  try {
    const { on, flags } = scenariosOnIn(text);
    const keep = Object.fromEntries(Object.entries(flags).filter(([key]) => !isScenarioName(key)));
    return { on, keep };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** Runs one invocation; returns the exit code (0 done, 1 the flag file is unreadable, 2 bad usage). */
export function runScenarioCommand(args: readonly string[], io: ScenarioIo): number {
  const [first, second, ...rest] = args;
  const state = readState(io);
  if (first === undefined || first === 'list') {
    if (rest.length > 0 || second !== undefined) {
      io.err(USAGE);
      return 2;
    }
    if ('problem' in state) {
      io.err(`${io.file} cannot be read (${state.problem}); \`npm run scenario -- off\` writes a fresh one.`);
      return 1;
    }
    io.out(`Scenarios in ${io.file}:`);
    for (const line of listLines(state.on)) io.out(line);
    return 0;
  }
  if (first === 'off' && second === undefined) {
    io.write(renderFlagFile(new Set(), 'problem' in state ? {} : state.keep));
    io.out(`Every scenario is off (${io.file}); in force within ${FLAG_CHANGE_BOUND_SECONDS} s.`);
    return 0;
  }
  if (!isScenarioName(first)) {
    io.err(`unknown scenario "${first}". The scenarios are:`);
    for (const line of listLines('problem' in state ? new Set() : state.on)) io.err(line);
    io.err(USAGE);
    return 2;
  }
  if ((second !== 'on' && second !== 'off') || rest.length > 0) {
    io.err(`say on or off after "${first}".`);
    io.err(USAGE);
    return 2;
  }
  if ('problem' in state) {
    io.err(`${io.file} cannot be read (${state.problem}); \`npm run scenario -- off\` writes a fresh one.`);
    return 1;
  }
  const on = new Set(state.on);
  if (second === 'on') on.add(first);
  else on.delete(first);
  io.write(renderFlagFile(on, state.keep));
  io.out(
    `${first} is ${second} (${io.file}); the service polls the file, so it is in force within ${FLAG_CHANGE_BOUND_SECONDS} s, no restart.`,
  );
  if (second === 'on') for (const line of whereToLook(first)) io.out(line);
  const others = [...on].filter((name) => name !== first);
  if (others.length > 0) io.out(`Also on: ${others.join(', ')}.`);
  return 0;
}
