// How the stacks reach the flag file: compose mounts the flags/ directory into the service (a
// file replaced by rename stays visible, unlike a single-file bind mount) and points the flagd
// provider at it in process; the native stack and `npm start` read the repository's file.
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENV_FLAG_FILE,
  ENV_FLAGD_RESOLVER,
  FLAG_DIR_IN_COMPOSE,
  FLAG_FILE,
  FLAGD_RESOLVER_IN_PROCESS,
  SCENARIO_NAMES,
  renderFlagFile,
  scenariosOnIn,
} from '../kit/scenarios.ts';
import { environmentOf, mountsOf, readCompose, readText } from './stack-files.ts';

const service = readCompose('compose.yaml').services.service!;

describe('the flag file in compose and in the repository', () => {
  it('compose mounts the directory holding the flag file, read-only, and the service reads it in process', () => {
    const mount = mountsOf(service).find((m) => m.target === FLAG_DIR_IN_COMPOSE);
    expect(mount?.source).toBe(`./${posix.dirname(FLAG_FILE)}`);
    expect(mount?.readOnly).toBe(true);
    expect(mountsOf(service).some((m) => m.target.endsWith('.json'))).toBe(false);
    const env = environmentOf(service);
    expect(env[ENV_FLAGD_RESOLVER]).toBe(FLAGD_RESOLVER_IN_PROCESS);
    expect(env[ENV_FLAG_FILE]).toBe(`${FLAG_DIR_IN_COMPOSE}/${posix.basename(FLAG_FILE)}`);
  });

  it('the committed flag file is in flagd schema with every scenario present and off', () => {
    const text = readText(FLAG_FILE);
    const parsed = JSON.parse(text) as { $schema: string; flags: Record<string, unknown> };
    expect(parsed.$schema).toBe('https://flagd.dev/schema/v0/flags.json');
    expect(Object.keys(parsed.flags).sort()).toEqual([...SCENARIO_NAMES].sort());
    expect([...scenariosOnIn(text).on]).toEqual([]);
    // Byte for byte what `npm run scenario -- off` writes, so a lab session leaves no diff behind.
    expect(text).toBe(renderFlagFile(new Set()));
  });
});
