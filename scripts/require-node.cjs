// Launcher for the scripts Node runs as TypeScript (`npm run load`, `npm run stack`): plain
// CommonJS, so any Node can read it. On a Node major other than the kit's (.nvmrc) it stops with
// one line saying what to do, instead of ERR_UNKNOWN_FILE_EXTENSION from an older Node that cannot
// strip types. Usage: node scripts/require-node.cjs <npm script name> <script.ts> [args...]
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

/** The one line for a wrong Node, or null when this Node is the one the kit needs. */
function wrongNodeMessage(command, running, needed) {
  const major = Number(String(running).split('.')[0]);
  if (major === Number(needed)) return null;
  return `npm run ${command} needs Node.js ${needed} (this is ${running}): run \`nvm use\` in the repository (it reads .nvmrc) or install Node.js ${needed}.`;
}

module.exports = { wrongNodeMessage };

if (require.main === module) {
  const [command, script] = process.argv.slice(2);
  const needed = readFileSync(path.join(__dirname, '..', '.nvmrc'), 'utf8').trim();
  const message = wrongNodeMessage(command, process.versions.node, needed);
  if (message) {
    console.error(message);
    process.exit(1);
  }
  // The kit's .ts scripts are ES modules in a package without "type" (the service compiles to
  // CommonJS); Node says so on every run. The warning is about how Node found out, not about the
  // script: keep it off the attendee's screen, every other warning stays.
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
    if (code === 'MODULE_TYPELESS_PACKAGE_JSON') return;
    return emitWarning.call(process, warning, ...rest);
  };
  // The script sees its own arguments, as if node had run it directly.
  process.argv.splice(1, 3, path.resolve(script));
  import(pathToFileURL(path.resolve(script)).href).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
