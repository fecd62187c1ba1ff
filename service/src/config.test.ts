import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'info',
      serviceVersion: 'unknown',
      logGeneratorEnabled: true,
      userSimulatorEnabled: true,
    });
    expect(config.store).toEqual({ latencyMs: 5, latencyJitterMs: 20, seedItems: 50, maxItems: 10_000 });
    expect(config.routeSdkDiagnostics).toBe(true);
  });

  it('reads typed values and treats empty strings as unset', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '',
      LOG_GENERATOR_ENABLED: 'false',
      STORE_MAX_ITEMS: '3',
      STORE_SEED_ITEMS: '10',
      OTEL_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      logGeneratorEnabled: false,
      routeSdkDiagnostics: false,
    });
    expect(config.store).toMatchObject({ maxItems: 3, seedItems: 3 });
  });

  it('routes SDK diagnostics into the service log unless OTEL_LOG_LEVEL asks for detail', () => {
    expect(loadConfig({ OTEL_LOG_LEVEL: 'warn' }).routeSdkDiagnostics).toBe(true);
    expect(loadConfig({ OTEL_LOG_LEVEL: 'DEBUG' }).routeSdkDiagnostics).toBe(false);
  });

  it('bounds the time a request may take to arrive: 30 s by default, a bad value named', () => {
    expect(loadConfig({}).requestTimeoutMs).toBe(30_000);
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs).toBe(5_000);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS="0": must be >= 100/);
  });

  it('takes the service version from OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(
      loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=otel-workshop,service.version=1.2.3' }).serviceVersion,
    ).toBe('1.2.3');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_GENERATOR_ENABLED', 'maybe'],
    ['STORE_MAX_ITEMS', '0'],
    ['SHUTDOWN_FLUSH_TIMEOUT_MS', '1s'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}="${value.replace('.', '\\.')}"`));
  });
});
