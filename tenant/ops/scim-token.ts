/**
 * npm run scim-token -- --env <name> --connection <name> [--list | --create | --rotate | --revoke <id>] [--expires-in 90d]
 *
 * deploy-cli manages the SCIM configuration but not its tokens. A new token's value is written to
 * stdout once, alone on its line, and nowhere else (not stderr, not a file, not an error message):
 *   npm run -s scim-token -- --env staging --connection corporate-idp --rotate | pbcopy
 */
import { Command } from 'commander';
import {
  describeNewToken,
  MAX_LIVE_TOKENS,
  oldestFirst,
  renderTokens,
  rotateTokens,
  scimAction,
  type TokenInfo,
  type TokenPort,
} from './scim-core';
import { api, collect, describeApiError, openTenant, type OpsContext, UserError } from './context';
import { REPO_ROOT, configure, durationArg, fail, redactEnv } from './cli';

interface Options {
  env: string;
  connection: string;
  list?: boolean;
  create?: boolean;
  rotate?: boolean;
  revoke?: string;
  expiresIn?: string;
}

const info = (line: string) => process.stderr.write(`${redactEnv(line)}\n`);

async function connectionId(ctx: OpsContext, name: string): Promise<string> {
  const all = await api(ctx, 'listing connections', async () =>
    collect(
      await ctx.client.connections.list({ take: 100, fields: 'id,name,strategy', include_fields: true }),
    ),
  );
  const found = all.find((c) => c.name === name);
  if (!found?.id) {
    const names = all.map((c) => c.name).filter(Boolean);
    throw new UserError(
      `connection "${name}" not found in ${ctx.domain} (it has: ${names.join(', ') || 'none'})`,
    );
  }
  return found.id;
}

async function listTokens(ctx: OpsContext, id: string, name: string): Promise<TokenInfo[]> {
  try {
    return (await ctx.client.connections.scimConfiguration.tokens.get(id)) as TokenInfo[];
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new UserError(
        `connection "${name}" has no SCIM configuration in ${ctx.domain}: deploy tenant.yaml (npm run deploy) first`,
      );
    }
    throw new UserError(
      ctx.redact(`listing the SCIM tokens of "${name}" failed: ${describeApiError(err, ctx.domain)}`),
    );
  }
}

async function createToken(
  ctx: OpsContext,
  id: string,
  lifetime: number | null,
): Promise<TokenInfo & { token?: string }> {
  const created = await ctx.client.connections.scimConfiguration.tokens.create(
    id,
    lifetime === null ? {} : { token_lifetime: lifetime },
  );
  return { ...created, token_id: created.token_id ?? '' };
}

async function revoke(ctx: OpsContext, id: string, t: TokenInfo, why: string): Promise<void> {
  await api(ctx, `revoking SCIM token ${t.token_id}`, () =>
    ctx.client.connections.scimConfiguration.tokens.delete(id, t.token_id),
  );
  info(`revoked SCIM token ${t.token_id} (created ${t.created_at ?? 'unknown'}): ${why}`);
}

/** The only place a token value is written: stdout, once. */
function emitToken(created: { token?: string }): void {
  if (!created.token) throw new UserError('Auth0 answered without a token value');
  process.stdout.write(`${created.token}\n`);
}

const program = configure(new Command('scim-token'))
  .description('List, create, rotate or revoke the Inbound SCIM tokens of a connection')
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .requiredOption('--connection <name>', 'connection name, like corporate-idp')
  .option('--list', 'list the tokens (default)')
  .option('--create', 'create a token; its value is printed once, to stdout')
  .option('--rotate', `create a new token and revoke the oldest, so at most ${MAX_LIVE_TOKENS} stay alive`)
  .option('--revoke <id>', 'revoke one token by id (see --list)')
  .option('--expires-in <duration>', 'lifetime of the new token, like 90d (default: never expires)')
  .action(async (opts: Options) => {
    const expiresInMs = durationArg('--expires-in', opts.expiresIn);
    const picked = scimAction({ ...opts, expiresInMs });
    if ('problem' in picked) throw new UserError(picked.problem);
    const action = picked.action;

    const ctx = await openTenant({ root: REPO_ROOT, envName: opts.env, processEnv: process.env });
    const id = await connectionId(ctx, opts.connection);
    const tokens = await listTokens(ctx, id, opts.connection);
    const now = new Date();

    switch (action.kind) {
      case 'list':
        console.log(redactEnv(renderTokens(opts.connection, tokens, now)));
        return;
      case 'revoke': {
        const t = tokens.find((x) => x.token_id === action.tokenId);
        if (!t) {
          const ids = oldestFirst(tokens).map((x) => x.token_id);
          throw new UserError(
            `no SCIM token ${action.tokenId} on connection "${opts.connection}" (it has: ${ids.join(', ') || 'none'})`,
          );
        }
        await revoke(ctx, id, t, 'asked with --revoke');
        info(`${tokens.length - 1} SCIM token(s) left on "${opts.connection}"`);
        return;
      }
      case 'create': {
        if (tokens.length >= MAX_LIVE_TOKENS) {
          throw new UserError(
            `connection "${opts.connection}" already has ${tokens.length} SCIM tokens (Auth0 keeps at most ${MAX_LIVE_TOKENS}): use --rotate, or --revoke one first`,
          );
        }
        const created = await api(ctx, 'creating a SCIM token', () =>
          createToken(ctx, id, action.lifetimeSeconds),
        );
        info(describeNewToken(opts.connection, created, now));
        info('The token is printed once, below on stdout: put it in the IdP now; it cannot be read again.');
        emitToken(created);
        return;
      }
      case 'rotate': {
        const port: TokenPort = {
          list: () => listTokens(ctx, id, opts.connection),
          create: (lifetime) => createToken(ctx, id, lifetime),
          revoke: (t, why) => revoke(ctx, id, t, why),
        };
        const result = await rotateTokens(port, action.lifetimeSeconds).catch((err: unknown) => {
          if (err instanceof UserError) throw err;
          throw new UserError(
            ctx.redact(`rotating the SCIM token failed: ${describeApiError(err, ctx.domain)}`),
          );
        });
        info(describeNewToken(opts.connection, result.created, now));
        if (result.previous) {
          info(
            `The previous token ${result.previous.token_id} stays valid: once the IdP uses the new one, revoke it with --revoke ${result.previous.token_id}.`,
          );
        }
        info('The token is printed once, below on stdout: put it in the IdP now; it cannot be read again.');
        emitToken(result.created);
        return;
      }
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => fail('scim-token', err));
