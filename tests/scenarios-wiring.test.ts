// How the stacks reach the flag file: compose mounts the flags/ directory into the service (a
// file replaced by rename stays visible, unlike a single-file bind mount) and points the flagd
// provider at it in process; the native stack and `npm start` read the repository's file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path, { posix } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kit/layout.ts';
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

// A bind mount as compose makes one, in a private mount namespace (root and unshare, as the native
// stack needs): what the service sees when `npm run scenario` or an editor replaces the file.
const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;
if (!canMount && process.env.CI) throw new Error('CI is set but this machine cannot make a private mount namespace');

describe.skipIf(!canMount)(
  `the flag file through a bind mount (${canMount ? 'unshare --mount' : 'needs root and unshare'})`,
  () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'flag-mount-'));
    const source = path.join(scratch, 'flags');
    const dirMount = path.join(scratch, 'dir-mount');
    const fileMount = path.join(scratch, 'file-mount.json');
    const file = path.join(source, 'scenarios.flagd.json');
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    /** A command run with `source` bind-mounted as compose does it: the directory, and (for contrast) the file. */
    const inNamespace = (script: string) =>
      spawnSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          `mount --bind "$0" "$1" && mount --bind "$2" "$3" && ${script}`,
          source,
          dirMount,
          file,
          fileMount,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );

    it('a file replaced by rename shows through a directory mount, not through a single-file mount (why compose mounts flags/)', () => {
      mkdirSync(source, { recursive: true });
      mkdirSync(dirMount, { recursive: true });
      writeFileSync(fileMount, '');
      writeFileSync(file, 'old');
      const result = inNamespace(
        `printf new > "$0/t" && mv "$0/t" "$0/scenarios.flagd.json" && printf "%s %s" "$(cat "$1/scenarios.flagd.json")" "$(cat "$3")"`,
      );
      expect(result.stdout, result.stderr).toBe('new old');
    });

    it("the service's flag provider, reading through a directory mount, follows a rename and an in-place write", () => {
      writeFileSync(file, renderFlagFile(new Set()));
      // The compiled switch (npm test builds first), watching the file through the mount; it prints
      // the scenarios on at each change while the test, outside, replaces the file underneath.
      const probe = [
        `const { startScenarioSwitch, flagdFileProvider } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/service/src/scenarios/switch.js'))});`,
        `const { createLogger } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/kit/node/logger.js'))});`,
        `const fs = require('node:fs');`,
        `const logger = createLogger('silent');`,
        `const seen = [];`,
        `const write = (t) => { fs.writeFileSync(${JSON.stringify(file)} + '.tmp', t); fs.renameSync(${JSON.stringify(file)} + '.tmp', ${JSON.stringify(file)}); };`,
        `const wait = (want) => new Promise((ok, fail) => { const t0 = Date.now(); const i = setInterval(() => { if (s.active().join() === want) { clearInterval(i); ok(); } else if (Date.now() - t0 > 20000) { clearInterval(i); fail(new Error('not seen: ' + want)); } }, 100); });`,
        `let s;`,
        `(async () => {`,
        `  s = await startScenarioSwitch(flagdFileProvider(process.argv[2], logger), logger);`,
        `  seen.push(s.active().join());`,
        // As in scenarios.test.ts: fs.watchFile takes its baseline stat on the thread pool after
        // the watch starts, and a file replaced before that looks unchanged for good.
        `  await new Promise((r) => setTimeout(r, 1000));`,
        `  write(${JSON.stringify(renderFlagFile(new Set(['cpu-block'])))}); await wait('cpu-block'); seen.push(s.active().join());`,
        `  fs.writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(renderFlagFile(new Set(['cpu-block', 'log-flood'])))}); await wait('cpu-block,log-flood'); seen.push(s.active().join());`,
        `  console.log(JSON.stringify(seen)); await s.close(); process.exit(0);`,
        `})().catch((e) => { console.log(JSON.stringify(seen), e.message); process.exit(1); });`,
      ].join('\n');
      const probeFile = path.join(scratch, 'probe.cjs');
      writeFileSync(probeFile, probe);
      const result = inNamespace(`exec "${process.execPath}" "${probeFile}" "$1/scenarios.flagd.json"`);
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout.trim())).toEqual(['', 'cpu-block', 'cpu-block,log-flood']);
    });
  },
);
