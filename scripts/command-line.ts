/**
 * The command line of `npm run top` and `npm run verify`: their options (a bad one, or --help,
 * ends the command here), and the stack's addresses as they reach them: compose's published
 * ports by default, the native stack's loopback IPs with --native, and one environment variable
 * per address to override either (a bad one stops the command with exit 2, naming it).
 * Node built-ins and kit modules only: both commands run by type stripping, no install.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { composeUrls, nativeUrls } from '../kit/layout.ts';

/** A bad address override: the message names the variable; the commands exit 2 on it. */
export class AddressError extends Error {}

/** Each override variable and the address it replaces. */
export const ADDRESS_VARIABLES = {
  service: 'SERVICE_URL',
  collectorMetrics: 'COLLECTOR_METRICS_URL',
  prometheus: 'PROMETHEUS_URL',
  jaeger: 'JAEGER_URL',
  loki: 'LOKI_URL',
  inventory: 'INVENTORY_URL',
  grafana: 'GRAFANA_URL',
} as const;

export type StackAddresses = Record<keyof typeof ADDRESS_VARIABLES, string>;

function address(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const raw = env[variable]?.trim() || fallback;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new AddressError(`${variable} is not an http URL: ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

/** The addresses to use; the native stack has no Grafana, so its default is the compose one (unanswered). */
export function stackAddresses(native: boolean, env: NodeJS.ProcessEnv = process.env): StackAddresses {
  const compose = composeUrls();
  const defaults = native ? { ...nativeUrls(), grafana: compose.grafana } : compose;
  return Object.fromEntries(
    Object.entries(ADDRESS_VARIABLES).map(([key, variable]) => [
      key,
      address(env, variable, defaults[key as keyof typeof defaults]),
    ]),
  ) as StackAddresses;
}

/**
 * Parses the options (plus --help, which prints the usage and exits 0) and reads the addresses.
 * A bad option or address prints `<command>: <message>` on stderr and exits 2.
 */
export function readCommandLine<O extends ParseArgsOptionsConfig & { native: { type: 'boolean' } }>(
  command: string,
  usage: string,
  options: O,
) {
  const fail = (message: string): never => {
    console.error(`${command}: ${message}`);
    process.exit(2);
  };
  type Flags = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean };
  let flags: Flags;
  try {
    flags = parseArgs({ options: { ...options, help: { type: 'boolean' } } }).values;
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  if (flags.help) {
    console.log(usage);
    process.exit(0);
  }
  let urls: StackAddresses;
  try {
    urls = stackAddresses(flags.native === true);
  } catch (error) {
    if (error instanceof AddressError) return fail(error.message);
    throw error;
  }
  return { flags, urls, fail };
}
