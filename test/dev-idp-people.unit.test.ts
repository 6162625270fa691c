import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatehouseError } from '../src/core/errors.ts';
import { DEFAULT_PEOPLE, parsePeople } from '../src/dev-idp/people.ts';

const SOURCE = '--people team.yaml';

describe('the stand-in issuer: its people', () => {
  test('a YAML file: defaults filled in, email_verified only beside an email', () => {
    const people = parsePeople(
      'people:\n  - sub: u-dana\n    preferred_username: dana\n    email: dana@example.com\n    groups: [ops]\n' +
        '  - sub: u-eve\n    preferred_username: eve\n',
      SOURCE,
    );
    assert.deepEqual(people, [
      {
        sub: 'u-dana',
        preferred_username: 'dana',
        email: 'dana@example.com',
        email_verified: true,
        groups: ['ops'],
      },
      { sub: 'u-eve', preferred_username: 'eve', email_verified: undefined, groups: [] },
    ]);
  });

  test('JSON is read as well', () => {
    const people = parsePeople(
      '{"people": [{"sub": "00u1ab2CD3", "preferred_username": "frank", "email": "f@example.com", "email_verified": false}]}',
      SOURCE,
    );
    assert.equal(people[0]?.sub, '00u1ab2CD3');
    assert.equal(people[0]?.email_verified, false);
  });

  const refused: readonly { name: string; text: string; says: RegExp }[] = [
    { name: 'not YAML', text: 'people: [\n', says: /--people team\.yaml is neither YAML nor JSON/ },
    {
      name: 'no people list',
      text: 'persons: []',
      says: /people: is required\n {2}\(top\): has no field persons; its fields are people/,
    },
    { name: 'a list alone', text: '- sub: a', says: /\(top\): must be a mapping with a people list/ },
    { name: 'an empty list', text: 'people: []', says: /people: must list one person at least/ },
    {
      name: 'a person without a sub',
      text: 'people:\n  - preferred_username: x',
      says: /people\.0\.sub: is required/,
    },
    {
      name: 'a sub with a space',
      text: 'people:\n  - {sub: "u dana", preferred_username: dana}',
      says: /people\.0\.sub: must be 1 to 255 printable ASCII characters, no spaces/,
    },
    {
      name: 'a bad email',
      text: 'people:\n  - {sub: a, preferred_username: a, email: nope}',
      says: /people\.0\.email: must be an email address/,
    },
    {
      name: 'groups that are not a list',
      text: 'people:\n  - {sub: a, preferred_username: a, groups: staff}',
      says: /people\.0\.groups: must be a list of group names/,
    },
    {
      name: 'an unknown field',
      text: 'people:\n  - {sub: a, preferred_username: a, password: x}',
      says: /people\.0: has no field password; its fields are sub, preferred_username, name, email/,
    },
    {
      name: 'two people with one sub',
      text: 'people:\n  - {sub: a, preferred_username: a}\n  - {sub: a, preferred_username: b}',
      says: /people\.1\.sub: a is already someone else's/,
    },
  ];
  for (const { name, text, says } of refused) {
    test(`refused, naming the file and what to fix: ${name}`, () => {
      assert.throws(
        () => parsePeople(text, SOURCE),
        (error: unknown) => {
          assert.ok(error instanceof GatehouseError);
          assert.equal(error.code, 'DEV_IDP_PEOPLE_INVALID');
          assert.match(error.message, /--people team\.yaml/);
          assert.match(error.message, says);
          return true;
        },
      );
    });
  }

  test('the built-in people: distinct subs, someone in staff and someone outside it', () => {
    assert.equal(new Set(DEFAULT_PEOPLE.map((p) => p.sub)).size, DEFAULT_PEOPLE.length);
    assert.ok(DEFAULT_PEOPLE.some((p) => p.groups.includes('staff')));
    assert.ok(DEFAULT_PEOPLE.some((p) => !p.groups.includes('staff')));
  });
});
