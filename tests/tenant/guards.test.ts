import { isCi, parseAllowDelete, productionGuard } from '../../tenant/lib/guards';

describe('AUTH0_ALLOW_DELETE', () => {
  it('is false unless asked for', () => {
    expect(parseAllowDelete(undefined, undefined)).toEqual({ value: false });
    expect(parseAllowDelete('', undefined)).toEqual({ value: false });
  });

  it('reads "false" as false (deploy-cli would treat the string as true)', () => {
    for (const v of ['false', 'FALSE', ' False ', '0', 'no'])
      expect(parseAllowDelete(v, undefined)).toEqual({ value: false });
    for (const v of ['true', 'TRUE', '1', 'yes'])
      expect(parseAllowDelete(v, undefined)).toEqual({ value: true });
  });

  it('refuses anything that is not clearly a boolean', () => {
    expect(parseAllowDelete('maybe', undefined)).toEqual({
      problem: 'AUTH0_ALLOW_DELETE is "maybe": use true or false (or the --allow-delete flag)',
    });
  });

  it('lets the --allow-delete flag win over the variable', () => {
    expect(parseAllowDelete('false', true)).toEqual({ value: true });
    expect(parseAllowDelete('nonsense', true)).toEqual({ value: true });
  });
});

describe('production guard', () => {
  it('refuses production outside CI without the override', () => {
    expect(productionGuard('production', {}, false)).toMatch(
      /^production deploys run in CI .* add --allow-local-production$/,
    );
    expect(productionGuard('production', { CI: 'false' }, false)).not.toBeNull();
  });

  it('allows production in CI, or with the explicit override', () => {
    expect(productionGuard('production', { CI: 'true' }, false)).toBeNull();
    expect(productionGuard('production', { GITHUB_ACTIONS: 'true' }, false)).toBeNull();
    expect(productionGuard('production', {}, true)).toBeNull();
  });

  it('never blocks other environments', () => {
    expect(productionGuard('staging', {}, false)).toBeNull();
    expect(productionGuard('local', {}, false)).toBeNull();
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({})).toBe(false);
  });
});
