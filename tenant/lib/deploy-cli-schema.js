/**
 * auth0-deploy-cli validates tenant files against one schema built from every handler's `schema`
 * export; ajv 6 needs about 20 s to compile it, and a0deploy compiles it twice per import. Only
 * the resource types present in a file are ever checked, so compiling the schema with the absent
 * types left open gives the same verdict in well under a second. Used by the in-process loader,
 * by validate, and by the a0deploy child process (hence plain JS).
 */
'use strict';
const path = require('node:path');

const DEPLOY_CLI_DIR = path.dirname(require.resolve('auth0-deploy-cli/package.json'));
// deploy-cli's handler modules have a require cycle: load them through its own entry first.
const tools = require('auth0-deploy-cli/lib/tools');
const fullSchema = require('auth0-deploy-cli/lib/tools/auth0/schema').default;
const Ajv = require(require.resolve('ajv/lib/ajv', { paths: [DEPLOY_CLI_DIR] }));

/** deploy-cli's schema with full definitions only for `types` (and its include/exclude blocks). */
function schemaFor(types) {
  const keep = new Set([...types, 'include', 'exclude']);
  const properties = {};
  for (const [k, v] of Object.entries(fullSchema.properties)) properties[k] = keep.has(k) ? v : {};
  return { ...fullSchema, properties };
}

/** The options deploy-cli uses (lib/tools/auth0/index.js), plus allErrors for reports. */
function newAjv(allErrors) {
  return new Ajv({ useDefaults: true, nullable: true, ...(allErrors ? { allErrors: true } : {}) });
}

/** Replaces Auth0.prototype.validate with the same checks on the types present. */
function patchDeployCliValidate() {
  if (tools.Auth0.prototype.validate.fastSchema) return;
  const validate = async function validate() {
    const nonNullAssets = Object.keys(this.assets)
      .filter((k) => this.assets[k] != null)
      .reduce((a, k) => ({ ...a, [k]: this.assets[k] }), {});
    const ajv = newAjv(false);
    if (!ajv.validate(schemaFor(Object.keys(nonNullAssets)), nonNullAssets)) {
      throw new Error(`Schema validation failed loading ${JSON.stringify(ajv.errors, null, 4)}`);
    }
    await this.runStage('validate');
  };
  validate.fastSchema = true;
  tools.Auth0.prototype.validate = validate;
}

module.exports = { schemaFor, newAjv, patchDeployCliValidate };
