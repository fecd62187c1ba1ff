/**
 * What the preloads need of an instrumentation in ADOT's exported list: its name and its config,
 * which the OpenTelemetry instrumentations read again on every request, so a setConfig after the
 * SDK started takes effect at once.
 */
export type ConfigurableInstrumentation = {
  instrumentationName: string;
  getConfig(): Record<string, unknown>;
  setConfig(config: Record<string, unknown>): void;
};

/** The instrumentation named, or undefined when ADOT did not enable it. */
export function findInstrumentation(
  instrumentations: ConfigurableInstrumentation[],
  name: string,
): ConfigurableInstrumentation | undefined {
  return instrumentations.find((i) => i.instrumentationName === name);
}
