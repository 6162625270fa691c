import { randomInt } from 'node:crypto';

/** Names that would be confusing or dangerous as `<name>.<domain>`. */
const RESERVED = new Set([
  'admin',
  'api',
  'connect',
  'app',
  'auth',
  'cdn',
  'dashboard',
  'dev',
  'docs',
  'ftp',
  'gatehouse',
  'help',
  'imap',
  'localhost',
  'login',
  'mail',
  'mcp',
  'ns1',
  'ns2',
  'oauth',
  'pop',
  'root',
  'smtp',
  'sso',
  'static',
  'status',
  'support',
  'www',
]);

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `name` cannot be a tunnel name, or undefined when it can. */
export function tunnelNameProblem(name: string): string | undefined {
  if (!LABEL.test(name)) {
    return 'must be 1 to 63 lower-case letters, digits or hyphens, not starting or ending with a hyphen';
  }
  if (name.startsWith('xn--')) return 'must not be a punycode label';
  if (RESERVED.has(name)) return `"${name}" is reserved`;
  return undefined;
}

const ADJECTIVES = [
  'amber',
  'brave',
  'calm',
  'clever',
  'crisp',
  'eager',
  'fancy',
  'gentle',
  'golden',
  'happy',
  'jolly',
  'keen',
  'lively',
  'lucky',
  'mellow',
  'misty',
  'noble',
  'polite',
  'proud',
  'quiet',
  'rapid',
  'silver',
  'sunny',
  'swift',
  'tidy',
  'vivid',
  'warm',
  'witty',
  'young',
  'zesty',
];
const NOUNS = [
  'badger',
  'beacon',
  'bison',
  'canyon',
  'cedar',
  'comet',
  'coral',
  'falcon',
  'fern',
  'harbor',
  'heron',
  'island',
  'lagoon',
  'lantern',
  'maple',
  'meadow',
  'otter',
  'panda',
  'pebble',
  'pine',
  'prairie',
  'raven',
  'river',
  'sparrow',
  'summit',
  'thistle',
  'tiger',
  'valley',
  'willow',
  'wren',
];

/** A readable random name such as `swift-otter-4821`. */
export function randomTunnelName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000, 10000)}`;
}
