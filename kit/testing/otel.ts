/**
 * An in-memory OpenTelemetry SDK for telemetry tests, shaped like the ADOT preload: X-Ray id
 * generator, baggage + X-Ray + W3C propagators, the http and express instrumentations at the
 * versions ADOT bundles, and the preload's pino log bridge. Import this module FIRST in a test
 * file: the instrumentations must be registered before express is loaded, as --require
 * guarantees in production.
 */
import { createRequire } from 'node:module';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import pino from 'pino';
import { bridgePinoToOtel } from '../node/preload/log-bridge';

/** Pull-based reader: tests decide when to collect, so no timers and no flakiness. */
class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// Stable HTTP semconv, as service/otel.env sets for the real service.
process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http';

export const spanExporter = new InMemorySpanExporter();
export const logExporter = new InMemoryLogRecordExporter();
export const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
export const metricReader = new ManualReader();

const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
const tracerProvider = new NodeTracerProvider({
  idGenerator: new AWSXRayIdGenerator(),
  spanProcessors: [new SimpleSpanProcessor(spanExporter)],
});
trace.setGlobalTracerProvider(tracerProvider);
propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CBaggagePropagator(), new AWSXRayPropagator(), new W3CTraceContextPropagator()],
  }),
);
const meterProvider = new MeterProvider({ readers: [metricReader] });
metrics.setGlobalMeterProvider(meterProvider);
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(logExporter)] });
logs.setGlobalLoggerProvider(loggerProvider);

/** Exported so a test can apply the preload's Express settings to it (and restore them). */
export const expressInstrumentation = new ExpressInstrumentation();

registerInstrumentations({
  instrumentations: [new HttpInstrumentation(), expressInstrumentation],
});

// Vitest loads packages through Node's ESM loader, which bypasses the require hooks the
// instrumentations rely on (in production the service is CommonJS under --require, so they
// apply). Requiring express once here through CommonJS patches its shared router prototypes.
createRequire(__filename)('express');

// The bridge listens on pino's diagnostics channel, which every pino logger of the process
// publishes on, however the test file imported pino.
bridgePinoToOtel(pino, (message) => void process.stderr.write(`${message}\n`));

export async function collectMetrics(): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await metricReader.collect();
  if (errors.length > 0) throw errors[0];
  return resourceMetrics;
}

export function resetTelemetry(): void {
  spanExporter.reset();
  logExporter.reset();
}
