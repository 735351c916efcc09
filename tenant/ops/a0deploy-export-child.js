#!/usr/bin/env node
/**
 * Runs the real auth0-deploy-cli export (the steps of its `export` command, lib/commands/export.js,
 * without the nconf layer) in a process of its own, for `npm run drift`:
 * - NODE_EXTRA_CA_CERTS (the local tenant's CA) is read only at process start;
 * - the configuration holds the access token and keyword values (some secret): it arrives on
 *   stdin, never in argv, the environment or a config file.
 * With AUTH0_PRESERVE_KEYWORDS the export keeps '##NAME##' wherever tenant.yaml has one, even
 * when the live value differs; deploy-cli then prints both values (ours may be a secret) in a
 * console.warn. That line is never printed: its address and the live value go to the parent as
 * `::preserved-differs {"address":...,"remote":...}`, and the parent shows the live value only
 * when the keyword is not secret.
 * Input (stdin JSON): { config } with AUTH0_INPUT_FILE = <dir>/tenant.yaml.
 */
'use strict';
const fs = require('node:fs');

const PRESERVED =
  /^WARNING! The remote value with address of (.+?) has value of "([\s\S]*)" but will be preserved with "/;
const realWarn = console.warn.bind(console);
console.warn = (...args) => {
  const text = args.map(String).join(' ');
  const m = PRESERVED.exec(text);
  if (m) process.stdout.write(`::preserved-differs ${JSON.stringify({ address: m[1], remote: m[2] })}\n`);
  else if (text.startsWith('WARNING! The remote value')) process.stdout.write('::preserved-differs {}\n');
  else realWarn(...args);
};

const { setupContext } = require('auth0-deploy-cli/lib/context');

async function main() {
  const { config } = JSON.parse(fs.readFileSync(0, 'utf8'));
  const context = await setupContext(config, 'export');
  await context.dump();
}

main().then(
  () => process.exit(0),
  (err) => {
    // Only the first line: deploy-cli's errors may embed request details.
    const msg = String((err && err.message) || err).split('\n')[0];
    process.stderr.write(`a0deploy export failed: ${msg}\n`);
    process.exit(1);
  },
);
