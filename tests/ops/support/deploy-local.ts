/**
 * Deploys tenant.yaml to the local stack named by LOCAL_STACK_FILE with the deploy tooling's own
 * deploy function (real auth0-deploy-cli import). Run as a child process: deploy-cli is CommonJS
 * with ESM dependencies jest cannot load, and the stack's CA must be trusted from process start.
 * The committed Action bundle is deployed as is (no rebuild in a shared working tree).
 */
import path from 'node:path';
import { runDeploy } from '../../../tenant/lib/run';

const root = path.resolve(__dirname, '..', '..', '..');

runDeploy({
  root,
  envName: 'local',
  processEnv: process.env,
  skipBuild: true,
  skipValidate: true,
  log: (line) => process.stderr.write(`${line}\n`),
}).then(
  (r) => process.stdout.write(`${JSON.stringify({ types: r.deployedTypes })}\n`),
  (err: Error) => {
    process.stderr.write(`deploy failed: ${err.message}\n`);
    process.exit(1);
  },
);
