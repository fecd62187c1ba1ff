/**
 * First preload: loads ADOT's register exactly as `--require …/register` would, with its
 * start-up diagnostics turned into JSON lines. ADOT sets a console diag logger at INFO and logs
 * two lines while it starts ("Setting TraceProvider…", "…started successfully"); on stdout they
 * were the only lines that were not JSON, which breaks `docker compose logs | jq` and log
 * shippers that parse every line. Only ADOT's own start is wrapped: console is restored after.
 */
import { format } from 'node:util';
import { applyAttributeLimits } from './attribute-limits';

/** A line in the service log's shape (logger.ts: string level, ISO time, msg). */
export function adotLogLine(
  level: 'info' | 'debug' | 'warn' | 'error',
  args: unknown[],
  now: Date = new Date(),
): string {
  return `${JSON.stringify({ level, time: now.toISOString(), source: 'adot', msg: format(...args) })}\n`;
}

{
  // Before ADOT's SDK reads it: every attribute value is bounded, in both processes that preload this.
  try {
    applyAttributeLimits(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const saved = { info: console.info, debug: console.debug, log: console.log };
  console.info = (...args: unknown[]) => void process.stdout.write(adotLogLine('info', args));
  console.debug = (...args: unknown[]) => void process.stdout.write(adotLogLine('debug', args));
  console.log = (...args: unknown[]) => void process.stdout.write(adotLogLine('info', args));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register');
  } finally {
    Object.assign(console, saved);
  }
}
