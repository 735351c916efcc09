import { findKeywords, redact, replaceKeywords, unresolvedKeywordProblems } from '../../tenant/lib/keywords';

const yamlText = `# values written as '##NAME##' are filled at deploy time
actions:
  - name: A
    secrets:
      - name: HUBSPOT_TOKEN
        value: '##HUBSPOT_TOKEN##'   # never write a secret here
      - { name: LIST, value: '@@ALLOWED@@' }
connections:
  - options: { signInEndpoint: '##IDP_SIGN_IN_URL##', note: 'a # in a string ##IDP_SIGN_IN_URL##' }
`;

describe('keyword placeholders', () => {
  it('finds ## and @@ keywords with their lines, ignoring YAML comments', () => {
    const uses = findKeywords(yamlText, 'tenant.yaml');
    expect(uses.map((u) => `${u.marker}${u.name}:${u.line}`)).toEqual([
      '##HUBSPOT_TOKEN:6',
      '@@ALLOWED:7',
      '##IDP_SIGN_IN_URL:9',
      '##IDP_SIGN_IN_URL:9',
    ]);
  });

  it('finds keywords in code files, lower-case template variables excluded', () => {
    const uses = findKeywords(
      'const a = "##SLACK_WEBHOOK_URL##"; // @@password@@ is Auth0 template syntax',
      'code.js',
    );
    expect(uses).toEqual([{ name: 'SLACK_WEBHOOK_URL', marker: '##', file: 'code.js', line: 1 }]);
  });

  it('refuses unset and empty values, saying where each value should come from, never a value', () => {
    const uses = findKeywords(yamlText, 'tenant.yaml');
    const problems = unresolvedKeywordProblems(
      uses,
      { HUBSPOT_TOKEN: '', IDP_SIGN_IN_URL: '  ', UNUSED: 'x' },
      ['HUBSPOT_TOKEN'],
      'tenant/environments/staging.yaml',
    );
    expect(problems).toEqual([
      'keyword @@ALLOWED@@ (tenant.yaml:7) has no value: add ALLOWED to keywords (or, if secret, to secrets) in tenant/environments/staging.yaml',
      'keyword ##HUBSPOT_TOKEN## (tenant.yaml:6) is empty: set the environment variable HUBSPOT_TOKEN',
      'keyword ##IDP_SIGN_IN_URL## (tenant.yaml:9, tenant.yaml:9) is empty: give keywords.IDP_SIGN_IN_URL a value in tenant/environments/staging.yaml',
    ]);
  });

  it('passes when every keyword has a non-empty value', () => {
    const uses = findKeywords(yamlText, 'tenant.yaml');
    expect(
      unresolvedKeywordProblems(
        uses,
        { HUBSPOT_TOKEN: 'pat-test', ALLOWED: 'a', IDP_SIGN_IN_URL: 'https://x' },
        [],
        'e.yaml',
      ),
    ).toEqual([]);
  });

  it('replaces exactly as auth0-deploy-cli does (strings for ##, JSON for @@)', () => {
    const out = replaceKeywords(`a: '##A##'\nb: @@B@@\nc: '##MISSING##'`, {
      A: 'x$&y',
      B: ['p', 'q'] as unknown as string,
    });
    expect(out).toBe(`a: 'x$&y'\nb: ["p","q"]\nc: '##MISSING##'`);
  });

  it('redacts secret values by name and leaves short or non-secret values alone', () => {
    const text = 'token pat-test-123 at https://api.hubapi.com and pat-test-123 again; id ab';
    expect(
      redact(text, { HUBSPOT_TOKEN: 'pat-test-123', HUBSPOT_BASE_URL: 'https://api.hubapi.com', X: 'ab' }, [
        'HUBSPOT_TOKEN',
        'X',
      ]),
    ).toBe('token <secret HUBSPOT_TOKEN> at https://api.hubapi.com and <secret HUBSPOT_TOKEN> again; id ab');
  });
});
