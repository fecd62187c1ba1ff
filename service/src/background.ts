import type { Logger } from '../../kit/node/logger';
import { observeActiveSimulatedUsers } from './telemetry/metrics';

const SAMPLE_LOGS: Array<['info' | 'warn' | 'error', string, Record<string, unknown>]> = [
  ['info', 'cache warmed', { component: 'cache', entries: 128 }],
  ['info', 'catalogue sync finished', { component: 'sync', changed: 3 }],
  ['info', 'session renewed', { component: 'auth' }],
  ['warn', 'slow downstream response', { component: 'pricing', latency_ms: 870 }],
  ['warn', 'retrying payment provider call', { component: 'payments', attempt: 2 }],
  ['error', 'inventory feed rejected a batch', { component: 'inventory', reason: 'checksum mismatch' }],
];

/** Random walk of a pretend user population, so the gauge panel moves without any load test. */
export class UserSimulator {
  private users = 10;
  step(): number {
    this.users = Math.max(0, Math.min(200, this.users + Math.round((Math.random() - 0.45) * 10)));
    return this.users;
  }
  get current(): number {
    return this.users;
  }
}

export type BackgroundOptions = { logGenerator: boolean; userSimulator: boolean };

/** Starts the optional background producers; returns a function that stops all of them. */
export function startBackgroundActivity(logger: Logger, options: BackgroundOptions): () => void {
  const stops: Array<() => void> = [];
  if (options.userSimulator) {
    const simulator = new UserSimulator();
    const timer = setInterval(() => simulator.step(), 1_000);
    timer.unref();
    const unobserve = observeActiveSimulatedUsers(() => simulator.current);
    stops.push(() => {
      clearInterval(timer);
      unobserve();
    });
  }
  if (options.logGenerator) {
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      // 5-10 s apart, as in the seed design: frequent enough for a live log panel, sparse enough to read.
      timer = setTimeout(
        () => {
          const [level, msg, fields] = SAMPLE_LOGS[Math.floor(Math.random() * SAMPLE_LOGS.length)] ?? SAMPLE_LOGS[0]!;
          logger[level]({ ...fields, generated: true }, msg);
          schedule();
        },
        5_000 + Math.random() * 5_000,
      );
      timer.unref();
    };
    schedule();
    stops.push(() => clearTimeout(timer));
  }
  return () => stops.forEach((stop) => stop());
}
