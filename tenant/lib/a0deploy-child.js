#!/usr/bin/env node
/**
 * Runs the real auth0-deploy-cli import in a process of its own:
 * - Node reads NODE_EXTRA_CA_CERTS only at start (the local tenant's CA is made at stack start);
 * - deploy-cli keeps global state (nconf, its logger) that must not leak between runs;
 * - its configuration (with keyword values, some secret) arrives on stdin, never in argv or env.
 *
 * These are the steps of deploy-cli's own `import` command (lib/commands/import.js) without its
 * nconf layer, so the per-resource summary that `tools.deploy` returns is not thrown away.
 * Input (stdin JSON): { inputFile, config, summaryFile }.
 */
'use strict';
const fs = require('node:fs');
const { setupContext } = require('auth0-deploy-cli/lib/context');
const { deploy } = require('auth0-deploy-cli/lib/tools');
const { patchDeployCliValidate } = require('./deploy-cli-schema');

patchDeployCliValidate();

async function main() {
  const { inputFile, config, summaryFile } = JSON.parse(fs.readFileSync(0, 'utf8'));
  const full = { ...config, AUTH0_INPUT_FILE: inputFile };
  const context = await setupContext(full, 'import');
  await context.loadAssetsFromLocal();
  const summary = await deploy(context.assets, context.mgmtClient, (key) => full[key]);
  fs.writeFileSync(summaryFile, JSON.stringify(summary ?? {}));
}

main().then(
  () => process.exit(0),
  (err) => {
    const where = err && (err.type || err.stage) ? ` (${err.stage || '?'} ${err.type || ''})` : '';
    const msg = String((err && err.message) || err)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' | ');
    process.stderr.write(`a0deploy failed${where}: ${msg}\n`);
    process.exit(1);
  },
);
