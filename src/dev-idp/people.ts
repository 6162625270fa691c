import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GatehouseError } from '../core/errors.ts';

/**
 * The people the stand-in issuer logs in, as a `--people` file holds them (YAML or JSON):
 *
 * ```yaml
 * people:
 *   - sub: u-dana               # the stable id Gatehouse names them by: oidc:u-dana
 *     preferred_username: dana
 *     name: Dana Example        # optional
 *     email: dana@example.com   # optional
 *     email_verified: true      # optional, true unless said otherwise
 *     groups: [staff]           # optional: the groups claim, for claim:groups=staff
 * ```
 */

/** A person the stand-in logs in, with the claims it gives clients. */
export interface Person {
  readonly sub: string;
  readonly preferred_username: string;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly email_verified?: boolean | undefined;
  readonly groups: readonly string[];
}

/** A message for a value of the wrong kind: `is required` when missing, else what it must be. */
const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
});

/** A mapping with exactly these fields; an unknown one is named along with the known ones. */
function fields<S extends z.ZodRawShape>(shape: S, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has no field ${issue.keys.join(', ')}; its fields are ${Object.keys(shape).join(', ')}`
        : issue.input === undefined
          ? 'is required'
          : `must be ${what}`,
  });
}

const text = (what: string) => z.string(expected(what)).min(1, 'must not be empty');

const personSchema = fields(
  {
    // OpenID Connect Core §2: at most 255 ASCII characters.
    sub: z
      .string(expected('text'))
      .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters, no spaces'),
    preferred_username: text('text'),
    name: text('text').optional(),
    email: z.email(expected('an email address')).optional(),
    email_verified: z.boolean(expected('true or false')).default(true),
    groups: z.array(text('a group name'), expected('a list of group names')).default([]),
  },
  'a person (a mapping with sub and preferred_username)',
);

const fileSchema = fields(
  { people: z.array(personSchema, expected('a list of people')).min(1, 'must list one person at least') },
  'a mapping with a people list',
);

/** The people when no `--people` file is given: two staff members and someone outside staff. */
export const DEFAULT_PEOPLE: readonly Person[] = [
  {
    sub: 'u-alice',
    preferred_username: 'alice',
    name: 'Alice Example',
    email: 'alice@example.com',
    email_verified: true,
    groups: ['staff', 'admins'],
  },
  {
    sub: 'u-bob',
    preferred_username: 'bob',
    name: 'Bob Example',
    email: 'bob@example.com',
    email_verified: true,
    groups: ['staff'],
  },
  {
    sub: 'u-carol',
    preferred_username: 'carol',
    name: 'Carol Example',
    email: 'carol@example.org',
    email_verified: false,
    groups: [],
  },
];

/** Reads a `--people` file's text (YAML, hence JSON too); `source` names it in every error. */
export function parsePeople(text: string, source: string): Person[] {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new GatehouseError(
      'DEV_IDP_PEOPLE_INVALID',
      `${source} is neither YAML nor JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const result = fileSchema.safeParse(value);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  const people = result.success ? result.data.people : [];
  const seen = new Set<string>();
  people.forEach((person, i) => {
    if (seen.has(person.sub)) problems.push(`people.${i}.sub: ${person.sub} is already someone else's`);
    seen.add(person.sub);
  });
  if (problems.length > 0)
    throw new GatehouseError(
      'DEV_IDP_PEOPLE_INVALID',
      `${source} is not a valid people file:\n  ${problems.join('\n  ')}\n` +
        "Each person needs a sub and a preferred_username; see 'gatehouse dev-idp --help' for the shape.",
    );
  return people.map((p) => ({ ...p, email_verified: p.email === undefined ? undefined : p.email_verified }));
}

/** People by their `sub`. */
export function peopleBySub(people: readonly Person[]): Map<string, Person> {
  return new Map(people.map((p) => [p.sub, p]));
}
