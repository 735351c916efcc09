import {
  compareSecretValues,
  makeMarker,
  secretDigest,
  splitMarker,
  withMarker,
} from '../../tenant/lib/marker';

describe('secrets marker (write-only secrets, comparable without re-sending)', () => {
  const values = { HUBSPOT_TOKEN: 'pat-test-token', SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/fake' };
  const names = ['SLACK_WEBHOOK_URL', 'HUBSPOT_TOKEN'];

  it('round-trips: the code comes back byte for byte, the marker parsed', () => {
    const marker = makeMarker(values, names, 'salt-for-test');
    const code = 'exports.onExecuteEventStream = async () => {};\n';
    const deployed = withMarker(code, marker);
    expect(deployed.startsWith(code)).toBe(true);
    expect(splitMarker(deployed)).toEqual({ code, marker });
    expect(Object.keys(marker.secrets)).toEqual(['HUBSPOT_TOKEN', 'SLACK_WEBHOOK_URL']);
  });

  it('never holds a secret value, only a salted 64-bit digest', () => {
    const marker = makeMarker(values, names);
    const text = JSON.stringify(marker);
    expect(text).not.toContain('pat-test-token');
    expect(text).not.toContain('127.0.0.1');
    expect(marker.secrets.HUBSPOT_TOKEN).toMatch(/^[0-9a-f]{16}$/);
    expect(makeMarker(values, names).salt).not.toBe(marker.salt);
  });

  it('tells per name whether a value changed', () => {
    const marker = makeMarker(values, names, 's');
    expect(compareSecretValues(marker, values, names)).toEqual({
      SLACK_WEBHOOK_URL: 'unchanged',
      HUBSPOT_TOKEN: 'unchanged',
    });
    expect(compareSecretValues(marker, { ...values, HUBSPOT_TOKEN: 'pat-test-rotated' }, names)).toEqual({
      SLACK_WEBHOOK_URL: 'unchanged',
      HUBSPOT_TOKEN: 'changed',
    });
    expect(compareSecretValues(marker, values, ['NEW_ONE'])).toEqual({ NEW_ONE: 'unknown' });
    expect(compareSecretValues(null, values, names)).toEqual({
      SLACK_WEBHOOK_URL: 'unknown',
      HUBSPOT_TOKEN: 'unknown',
    });
  });

  it('treats code without (or with a damaged) marker as marker-less', () => {
    expect(splitMarker('code();\n')).toEqual({ code: 'code();\n', marker: null });
    expect(splitMarker('code();\n//# auth0-iac {not json\n').marker).toBeNull();
    expect(secretDigest('a', 'N', 'v')).not.toBe(secretDigest('b', 'N', 'v'));
  });
});
