import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kit/layout.ts';

const launcher = path.join(REPO_ROOT, 'scripts', 'require-node.cjs');
const { wrongNodeMessage } = createRequire(launcher)(launcher) as {
  wrongNodeMessage: (command: string, running: string, needed: string) => string | null;
};
const needed = readFileSync(path.join(REPO_ROOT, '.nvmrc'), 'utf8').trim();

describe('the Node version gate of npm run load / npm run stack', () => {
  it('one line naming the Node it needs, the one running, and how to get it', () => {
    expect(wrongNodeMessage('load', '20.20.2', '24')).toBe(
      'npm run load needs Node.js 24 (this is 20.20.2): run `nvm use` in the repository (it reads .nvmrc) or install Node.js 24.',
    );
    expect(wrongNodeMessage('stack', '24.9.0', '24')).toBeNull();
    expect(wrongNodeMessage('stack', '25.0.0', '24')).toMatch(/^npm run stack needs Node.js 24 \(this is 25\.0\.0\)/);
  });

  it("on the kit's Node it runs the script with the script's own arguments", () => {
    const run = spawnSync(process.execPath, [launcher, 'load', path.join(REPO_ROOT, 'scripts/load.ts'), '--help'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run load/);
  });

  it("keeps Node's note that it reparsed a .ts as an ES module off the screen, and nothing else", async () => {
    // A backend that answers 503 after a moment: top lives long enough for Node's warning to print
    // (a process that exits within the same tick never shows it), then says in one line that
    // nothing of the stack answers.
    const server = http.createServer((_req, res) => void setTimeout(() => res.writeHead(503).end(), 300));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const child = spawn(process.execPath, [launcher, 'top', path.join(REPO_ROOT, 'scripts/top.ts'), '--once'], {
        // Not the test runner's NODE_OPTIONS or NODE_NO_WARNINGS: the attendee's shell has neither.
        env: {
          PATH: process.env.PATH ?? '',
          SERVICE_URL: url,
          COLLECTOR_METRICS_URL: url,
          PROMETHEUS_URL: url,
          JAEGER_URL: url,
          LOKI_URL: url,
        },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('exit', (c) => (clearTimeout(timer), resolve(c)));
      });
      expect(code).toBe(2);
      expect(stderr).not.toContain('MODULE_TYPELESS_PACKAGE_JSON');
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^top: nothing of the stack answers/)]);
    } finally {
      server.close();
    }
  });

  // The machine's own node, when it is another major (Node 20 on these machines), proves the real gate.
  const other = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (p) =>
      existsSync(p) &&
      spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim().split('.')[0] !== needed,
  );
  it.skipIf(!other)(
    `on another Node major it stops with that one line and exit 1 (${other ?? 'no other Node major installed here'})`,
    () => {
      const run = spawnSync(other!, [launcher, 'load', path.join(REPO_ROOT, 'scripts/load.ts'), '--help'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^npm run load needs Node\\.js ${needed} \\(this is \\d+\\.`));
      expect(run.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    },
  );
});

describe('one way to run the TypeScript that is not compiled', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const cdk = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy', 'cdk.json'), 'utf8')) as { app: string };
  const commands = [
    ...Object.entries(pkg.scripts).flatMap(([name, script]) =>
      script.split('&&').map((part) => [`npm run ${name}`, part.trim()] as const),
    ),
    ['deploy/cdk.json app', cdk.app] as const,
  ];

  it('every command that runs a .ts file runs it through the launcher, naming its own npm script', () => {
    const direct = commands.filter(([, command]) => /\.ts\b/.test(command) && /^(node|npx|tsx)\b/.test(command));
    expect(direct.length).toBeGreaterThan(4);
    for (const [where, command] of direct) {
      expect(command, where).toMatch(/^node (\.\.\/)?scripts\/require-node\.cjs [\w:-]+ \S+\.ts\b/);
      const [, , name] = command.split(/\s+/);
      if (where.startsWith('npm run ')) expect(name, where).toBe(where.slice('npm run '.length));
    }
  });

  it('no other TypeScript runner is installed or named', () => {
    expect(commands.filter(([, command]) => /\b(tsx|ts-node)\b/.test(command))).toEqual([]);
    expect(existsSync(path.join(REPO_ROOT, 'node_modules', 'tsx'))).toBe(false);
  });
});
