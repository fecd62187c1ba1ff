import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import {
  OpenFeature,
  ProviderEvents,
  type Client,
  type Logger as OpenFeatureLogger,
  type Provider,
} from '@openfeature/server-sdk';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { MetricsHook, SpanEventHook } from '@openfeature/open-telemetry-hooks';
import type { Logger } from '../../../kit/node/logger';
import { SCENARIO_NAMES, type ScenarioName } from '../../../kit/scenarios';

/**
 * The runtime switch of the lab scenarios: OpenFeature with the flagd provider evaluating the flag
 * file in process (no flagd server). Two paths, so that every scenario off costs nothing:
 *
 * - `armed(name)` reads a snapshot refreshed when the provider reports a change (the file is
 *   polled): a Set lookup, no evaluation. One evaluation costs ~22 µs, a quarter of the bare
 *   handler, so nothing is evaluated per request while a scenario is off.
 * - `hits(name)` evaluates the flag for this request (targeting key: the trace id, so flagd's
 *   fractional split is per trace) and only when armed; the OpenTelemetry hooks put the
 *   evaluation on the active span (`feature_flag.evaluation` event) and count it.
 *
 * The flag path never throws: a bad flag file leaves the last good flags in force (the provider
 * keeps them) and is logged once per change as one error; a missing file means every scenario
 * off; an evaluation error answers "off".
 */
export interface ScenarioSwitch {
  armed(name: ScenarioName): boolean;
  hits(name: ScenarioName): Promise<boolean>;
  /** The scenarios armed now (for the scenario gauge and the logs). */
  active(): ScenarioName[];
  /** Called after each snapshot refresh. */
  onChange(listener: (active: ScenarioName[]) => void): void;
  close(): Promise<void>;
}

/** Every scenario off and no provider at all: the default of createApp (tests). */
export const SCENARIOS_OFF: ScenarioSwitch = {
  armed: () => false,
  hits: () => Promise.resolve(false),
  active: () => [],
  onChange: () => undefined,
  close: () => Promise.resolve(),
};

/** Log message of a flag file the provider rejected (bad JSON, not flagd's schema). */
export const LOG_MSG_FLAG_FILE_REJECTED = 'flag file rejected: the last good flags stay in force';
export const LOG_MSG_FLAG_FILE_MISSING = 'flag file not found: every scenario is off';
export const LOG_MSG_SCENARIOS_CHANGED = 'scenarios changed';

let domains = 0;

/**
 * The provider's own logger, routed to the service's. Its one error on a rejected file ("Error
 * reading file: ParseError: invalid flagd flag configuration") becomes the one clear error the
 * facilitator sees, naming the file and that the previous flags still apply.
 */
function providerLogger(logger: Logger, flagFile: string): OpenFeatureLogger {
  return {
    error: (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (/Error reading file/i.test(text))
        logger.error(
          { flag_file: flagFile, reason: text.replace(/^Error reading file:\s*/i, '') },
          LOG_MSG_FLAG_FILE_REJECTED,
        );
      else if (/File not found/i.test(text)) logger.warn({ flag_file: flagFile }, LOG_MSG_FLAG_FILE_MISSING);
      else logger.error({ flag_file: flagFile, reason: text }, 'flag provider error');
    },
    warn: (...args: unknown[]) =>
      logger.warn({ flag_file: flagFile, reason: args.map(String).join(' ') }, 'flag provider warning'),
    info: () => undefined,
    debug: () => undefined,
  };
}

export function flagdFileProvider(flagFile: string, logger: Logger): Provider {
  return new FlagdProvider(
    { resolverType: 'in-process', offlineFlagSourcePath: flagFile },
    providerLogger(logger, flagFile),
  );
}

/**
 * Starts the switch on a provider (the flagd file provider in the service, an in-memory one in
 * tests). Resolves once the first snapshot is taken, whether or not the provider came up.
 */
export async function startScenarioSwitch(provider: Provider, logger: Logger): Promise<ScenarioSwitch> {
  // A domain per switch: OpenFeature is a process-wide singleton, and tests start several.
  domains += 1;
  const domain = `items-api-scenarios-${domains}`;
  const client: Client = OpenFeature.getClient(domain);
  client.addHooks(new SpanEventHook(), new MetricsHook());
  let snapshot = new Set<ScenarioName>();
  const listeners: ((active: ScenarioName[]) => void)[] = [];
  let refreshing: Promise<void> = Promise.resolve();

  async function takeSnapshot(): Promise<void> {
    const next = new Set<ScenarioName>();
    for (const name of SCENARIO_NAMES) {
      // No targeting key: a fractional flag answers its default variant (reason DEFAULT), a flag
      // without targeting its static one. Armed: it could answer on for some request.
      const details = await client.getBooleanDetails(name, false, {});
      if (details.errorCode) continue;
      if (details.value || details.reason !== 'STATIC') next.add(name);
    }
    const before = [...snapshot].sort().join(',');
    snapshot = next;
    const now = [...next].sort();
    if (now.join(',') !== before) {
      logger.info({ scenarios_on: now }, LOG_MSG_SCENARIOS_CHANGED);
      for (const listener of listeners) listener(now);
    }
  }
  const refresh = () => {
    refreshing = refreshing.then(takeSnapshot).catch((error: unknown) => {
      logger.error({ err: error }, 'scenario snapshot failed; the previous one stays');
    });
    return refreshing;
  };

  OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (event) => {
    if (event?.domain === domain) void refresh();
  });
  OpenFeature.addHandler(ProviderEvents.Ready, (event) => {
    if (event?.domain === domain) void refresh();
  });
  try {
    await OpenFeature.setProviderAndWait(domain, provider);
  } catch {
    // Already logged by the provider (missing file: every scenario off). Evaluations answer the
    // default (off) until the provider recovers.
  }
  await refresh();

  return {
    armed: (name) => snapshot.has(name),
    async hits(name) {
      if (!snapshot.has(name)) return false;
      const targetingKey = trace.getActiveSpan()?.spanContext().traceId ?? randomUUID();
      try {
        return await client.getBooleanValue(name, false, { targetingKey });
      } catch {
        return false;
      }
    },
    active: () => [...snapshot].sort(),
    onChange: (listener) => void listeners.push(listener),
    async close() {
      // Stops the provider's file polling; other switches (tests) keep theirs.
      await Promise.resolve(provider.onClose?.()).catch(() => undefined);
    },
  };
}
