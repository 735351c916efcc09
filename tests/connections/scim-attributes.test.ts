import {
  activeValue,
  applyMapping,
  applyPatch,
  detectQuirks,
  mappingForPath,
  parseExpression,
  readAttribute,
} from '../../connections/scim-attributes';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  userName: 'ana@example.com',
  name: { givenName: 'Ana', familyName: 'Núñez' },
  emails: [
    { type: 'home', value: 'ana@home.example.com' },
    { type: 'Work', value: 'ana@example.com', primary: true },
  ],
  active: true,
  [ENT]: { department: 'Ops', manager: { value: 'm-1', displayName: 'Mo' } },
};

describe('parseExpression / readAttribute', () => {
  it('reads core, sub-attribute, filtered and extension paths, case-insensitively', () => {
    expect(readAttribute(user, 'USERNAME')).toBe('ana@example.com');
    expect(readAttribute(user, 'name.familyName')).toBe('Núñez');
    expect(readAttribute(user, 'emails[type eq "work"].value')).toBe('ana@example.com');
    expect(readAttribute(user, 'emails[primary eq true].value')).toBe('ana@example.com');
    expect(readAttribute(user, `${ENT}:department`)).toBe('Ops');
    expect(readAttribute(user, `${ENT}:manager.value`)).toBe('m-1');
  });

  it('returns undefined for what the resource lacks', () => {
    expect(readAttribute(user, 'nickName')).toBeUndefined();
    expect(readAttribute(user, 'emails[type eq "other"].value')).toBeUndefined();
    expect(readAttribute(user, `${ENT}:employeeNumber`)).toBeUndefined();
    expect(readAttribute({ userName: 'x' }, `${ENT}:department`)).toBeUndefined();
  });

  it('rejects expressions outside the mapping grammar', () => {
    expect(() => parseExpression('emails[type co "w"].value')).toThrow(/unsupported/);
    expect(() => parseExpression('a..b')).toThrow(/unsupported/);
  });
});

describe('applyMapping', () => {
  it('nests app_metadata paths and inverts active into blocked', () => {
    const mapped = applyMapping({ ...user, active: false }, [
      { auth0: 'email', scim: 'emails[type eq "work"].value' },
      { auth0: 'blocked', scim: 'active' },
      { auth0: 'app_metadata.department', scim: `${ENT}:department` },
      { auth0: 'nickname', scim: 'nickName' },
    ]);
    expect(mapped).toEqual({ email: 'ana@example.com', blocked: true, app_metadata: { department: 'Ops' } });
  });
});

describe('applyPatch', () => {
  it('replaces a filtered multi-valued entry, a sub-attribute and an extension attribute (Entra style)', () => {
    const next = applyPatch(user, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ana.n@example.com' },
        { op: 'Replace', path: 'name.familyName', value: 'Núñez-Reyes' },
        { op: 'Add', path: `${ENT}:employeeNumber`, value: '42' },
      ],
    });
    expect(readAttribute(next, 'emails[type eq "work"].value')).toBe('ana.n@example.com');
    expect(readAttribute(next, 'emails[type eq "home"].value')).toBe('ana@home.example.com');
    expect(readAttribute(next, 'name.familyName')).toBe('Núñez-Reyes');
    expect(readAttribute(next, 'name.givenName')).toBe('Ana');
    expect(readAttribute(next, `${ENT}:employeeNumber`)).toBe('42');
    expect(readAttribute(user, 'name.familyName')).toBe('Núñez'); // input untouched
  });

  it('coerces "False" and a bare-string manager the way a tolerant server must', () => {
    const next = applyPatch(user, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: `${ENT}:manager`, value: 'm-2' },
      ],
    });
    expect(next.active).toBe(false);
    expect(readAttribute(next, `${ENT}:manager.value`)).toBe('m-2');
  });

  it('applies path-less value objects: attributes, attribute-path keys, whole extension objects', () => {
    const next = applyPatch(user, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', value: { active: false } },
        { op: 'replace', value: { 'name.givenName': 'Anita', [`${ENT}:department`]: 'Finance' } },
        { op: 'add', value: { [ENT]: { employeeNumber: '7' } } },
      ],
    });
    expect(next.active).toBe(false);
    expect(readAttribute(next, 'name.givenName')).toBe('Anita');
    expect(readAttribute(next, `${ENT}:department`)).toBe('Finance');
    expect(readAttribute(next, `${ENT}:employeeNumber`)).toBe('7');
    expect(readAttribute(next, `${ENT}:manager.value`)).toBe('m-1');
  });

  it('removes attributes, including one entry of a multi-valued attribute', () => {
    const next = applyPatch(user, {
      schemas: [PATCH],
      Operations: [
        { op: 'Remove', path: `${ENT}:manager` },
        { op: 'remove', path: 'emails[type eq "home"]' },
      ],
    });
    expect(readAttribute(next, `${ENT}:manager.value`)).toBeUndefined();
    expect(next.emails).toEqual([{ type: 'Work', value: 'ana@example.com', primary: true }]);
  });
});

describe('detectQuirks', () => {
  const op = (...operations: object[]) => ({ schemas: [PATCH], Operations: operations });

  it('finds nothing in RFC-style requests', () => {
    expect(detectQuirks('PATCH', op({ op: 'replace', value: { active: false } }))).toEqual([]);
    expect(
      detectQuirks('PATCH', op({ op: 'replace', path: `${ENT}:manager`, value: { value: 'm' } })),
    ).toEqual([]);
    expect(detectQuirks('PUT', { active: 'False' })).toEqual([]);
  });

  it('names each Entra ID departure', () => {
    expect(detectQuirks('PATCH', op({ op: 'Replace', path: 'active', value: 'False' }))).toEqual([
      'boolean-as-string',
      'op-capitalized',
    ]);
    expect(detectQuirks('PATCH', op({ op: 'add', path: `${ENT}:manager`, value: 'm' }))).toEqual([
      'manager-bare-string',
    ]);
    expect(detectQuirks('PATCH', op({ op: 'replace', value: { 'name.givenName': 'A' } }))).toEqual([
      'pathless-attribute-path-keys',
    ]);
  });
});

describe('small helpers', () => {
  it('activeValue accepts booleans and Entra strings only', () => {
    expect(activeValue(true)).toBe(true);
    expect(activeValue('False')).toBe(false);
    expect(activeValue('TRUE')).toBe(true);
    expect(activeValue('no')).toBeUndefined();
    expect(activeValue(0)).toBeUndefined();
  });

  it('mappingForPath finds manager.value for a manager path', () => {
    const mapping = [{ auth0: 'app_metadata.manager_id', scim: `${ENT}:manager.value` }];
    expect(mappingForPath(mapping, `${ENT}:manager`)?.auth0).toBe('app_metadata.manager_id');
    expect(mappingForPath(mapping, 'title')).toBeUndefined();
  });
});
