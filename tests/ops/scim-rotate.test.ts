import { MAX_LIVE_TOKENS, rotateTokens, type TokenInfo, type TokenPort } from '../../tenant/ops/scim-core';

/** An in-memory connection that behaves like Auth0: at most two tokens, a third create is a 409. */
function fakeConnection(initial: string[], opts: { cap?: number; failCreate?: boolean } = {}) {
  let clock = 0;
  const tokens: TokenInfo[] = initial.map((id) => ({
    token_id: id,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, clock++)).toISOString(),
  }));
  const calls: string[] = [];
  let n = 0;
  const port: TokenPort = {
    async list() {
      calls.push('list');
      return tokens.map((t) => ({ ...t }));
    },
    async create() {
      calls.push('create');
      if (opts.failCreate) throw Object.assign(new Error('boom'), { statusCode: 500 });
      if (tokens.length >= (opts.cap ?? Infinity))
        throw Object.assign(new Error('conflict'), { statusCode: 409 });
      const t = {
        token_id: `tok_new${++n}`,
        created_at: new Date(Date.UTC(2026, 0, 1, 0, clock++)).toISOString(),
      };
      tokens.push(t);
      return { ...t, token: `scim-value-${n}` };
    },
    async revoke(t) {
      calls.push(`revoke ${t.token_id}`);
      tokens.splice(
        tokens.findIndex((x) => x.token_id === t.token_id),
        1,
      );
    },
  };
  return { port, tokens, calls };
}

describe('rotateTokens', () => {
  it('with no token: creates one, revokes nothing', async () => {
    const c = fakeConnection([], { cap: 2 });
    const r = await rotateTokens(c.port, null);
    expect(r.created.token).toBe('scim-value-1');
    expect(r.revoked).toEqual([]);
    expect(r.previous).toBeUndefined();
    expect(c.tokens.map((t) => t.token_id)).toEqual(['tok_new1']);
  });

  it('with one token: creates first and keeps the old one alive for the switch-over', async () => {
    const c = fakeConnection(['tok_idp'], { cap: 2 });
    const r = await rotateTokens(c.port, 7_776_000);
    expect(c.calls).toEqual(['list', 'create', 'list']);
    expect(r.previous?.token_id).toBe('tok_idp');
    expect(c.tokens.map((t) => t.token_id)).toEqual(['tok_idp', 'tok_new1']);
  });

  it("at Auth0's cap of two: the 409 makes room by revoking the oldest, never the newest", async () => {
    const c = fakeConnection(['tok_oldest', 'tok_idp'], { cap: 2 });
    const r = await rotateTokens(c.port, null);
    expect(c.calls).toEqual(['list', 'create', 'revoke tok_oldest', 'create', 'list']);
    expect(r.revoked.map((t) => t.token_id)).toEqual(['tok_oldest']);
    expect(r.previous?.token_id).toBe('tok_idp');
    expect(c.tokens.map((t) => t.token_id)).toEqual(['tok_idp', 'tok_new1']);
  });

  it('without a cap (or with more tokens than expected): revokes the oldest after creating', async () => {
    const c = fakeConnection(['tok_a', 'tok_b', 'tok_c']);
    const r = await rotateTokens(c.port, null);
    expect(r.revoked.map((t) => t.token_id)).toEqual(['tok_a', 'tok_b']);
    expect(c.tokens).toHaveLength(MAX_LIVE_TOKENS);
    expect(c.tokens.map((t) => t.token_id)).toEqual(['tok_c', 'tok_new1']);
  });

  it('a failed create revokes nothing', async () => {
    const c = fakeConnection(['tok_a', 'tok_b'], { failCreate: true });
    await expect(rotateTokens(c.port, null)).rejects.toThrow('boom');
    expect(c.calls).toEqual(['list', 'create']);
    expect(c.tokens).toHaveLength(2);
  });
});
