// Test support for the programs the kit runs: a free loopback port, and the compiled service
// started exactly as `npm start` starts it (same node arguments, same preload, same env file).
// Every wait is bounded; callers stop what they start by its PID.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../layout.ts';

/** A port the OS just handed out on `host` (loopback): free for the caller to bind next. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The node arguments of an npm script that runs `node …` (package.json is their one owner). */
export function nodeArgsOfScript(script: 'start' | 'start:inventory'): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = pkg.scripts[script]!.split(/\s+/);
  if (node !== 'node') throw new Error(`npm run ${script} does not start with node: ${pkg.scripts[script]}`);
  return args;
}

export interface StartedService {
  child: ChildProcessWithoutNullStreams;
  port: number;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * The compiled service as `npm start` runs it, on 127.0.0.1 and a port the OS picks, with no
 * background traffic. It inherits nothing OTEL-related from the test runner: service/otel.env
 * supplies the defaults and `env` the rest. Resolves once it logs that it listens.
 */
export function startCompiledService(env: Record<string, string>, timeoutMs = 20_000): Promise<StartedService> {
  const child = spawn(process.execPath, nodeArgsOfScript('start'), {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_GENERATOR_ENABLED: 'false',
      USER_SIMULATOR_ENABLED: 'false',
      ...env,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}\n${err}`)), timeoutMs);
    const onData = () => {
      const line = out.split('\n').find((l) => l.includes('"items-api listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const port = (JSON.parse(line) as { port: number }).port;
      resolve({ child, port, baseUrl: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}
