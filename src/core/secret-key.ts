import { randomBytes, scryptSync } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';

/** Shortest passphrase accepted as a secret key. */
export const MIN_PASSPHRASE_LENGTH = 16;

/** Why `text` cannot be a secret key, or undefined when it can. */
export function secretKeyProblem(text: string): string | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value) || base64Key(value)) return undefined;
  if (value.length >= MIN_PASSPHRASE_LENGTH) return undefined;
  return `must be 32 bytes as 64 hex digits or base64 (openssl rand -hex 32), or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`;
}

function base64Key(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/**
 * The 32 key bytes `GATEHOUSE_SECRET_KEY` stands for: hex or base64 as given, a passphrase
 * through scrypt (slow on purpose: a copy of the store must not make guessing it cheap). Throws
 * when {@link secretKeyProblem} objects.
 */
export function parseSecretKey(text: string): Buffer {
  const problem = secretKeyProblem(text);
  if (problem) throw new ConfigError(`GATEHOUSE_SECRET_KEY ${problem}`);
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  return (
    base64Key(value) ??
    scryptSync(value, 'gatehouse secret key passphrase', 32, { N: 2 ** 15, maxmem: 64 * 1024 * 1024 })
  );
}

/** The file in the data directory that keeps a generated key. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key kept in `dataDir/secret.key`, made (random, mode 0600) when there is none yet. A node
 * that loses the race to create it reads the one that won.
 */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    return keyInFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  // Written whole under a temporary name, then linked into place: a node racing this one sees
  // either no file or the whole key, never an empty one.
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return keyInFile(path);
}

function keyInFile(path: string): Buffer {
  const text = readFileSync(path, 'utf8');
  if (secretKeyProblem(text)) {
    throw new ConfigError(
      `${path} does not hold a secret key: restore it, or delete it to make a new one (logins sealed under the old one end)`,
    );
  }
  return parseSecretKey(text);
}
