/**
 * `npm run scenario -- list | <name> on|off | off`: switches the lab scenarios by rewriting the
 * flag file the service polls (compose mounts the flags/ directory; the native stack and
 * `npm start` read it in place), so it works against either stack with no restart. The decisions
 * live in scenario-cli.ts.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { REPO_ROOT } from '../kit/layout.ts';
import { flagFileFrom, runScenarioCommand } from './scenario-cli.ts';

const configured = flagFileFrom(process.env);
const file = isAbsolute(configured) ? configured : join(REPO_ROOT, configured);

const code = runScenarioCommand(process.argv.slice(2), {
  file: relative(process.cwd(), file) || file,
  read() {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  write(text) {
    // A new file renamed over the old one: the service never reads half a file. Compose mounts
    // the directory, not the file, because a single-file bind mount keeps showing the old inode
    // after a rename (what this does, and what most editors do on save).
    const temporary = join(dirname(file), `.${process.pid}.scenario.tmp`);
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exitCode = code;
