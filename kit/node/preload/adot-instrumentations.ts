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

/**
 * Chains a requestHook onto the HTTP instrumentation's existing one (ADOT's, or an earlier
 * preload step's). `hook` gets the earlier hook as `earlier` and decides whether it runs first or
 * last. Returns false when ADOT did not enable the HTTP instrumentation.
 */
export function chainHttpRequestHook<S>(
  instrumentations: ConfigurableInstrumentation[],
  hook: (span: S, request: unknown, earlier: () => void) => void,
): boolean {
  const http = findInstrumentation(instrumentations, '@opentelemetry/instrumentation-http');
  if (!http) return false;
  const previous = http.getConfig();
  const earlierHook = previous.requestHook as ((span: S, request: unknown) => void) | undefined;
  http.setConfig({
    ...previous,
    requestHook: (span: S, request: unknown) => hook(span, request, () => earlierHook?.(span, request)),
  });
  return true;
}
