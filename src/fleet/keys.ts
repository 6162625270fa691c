import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseError } from '../core/errors.ts';

/**
 * The application's command key, as Tesla knows it: an EC prime256v1 key pair whose public half is
 * hosted at the well-known path and registered with the partner account. `privateKey` is absent
 * when only the public half was given (enough to host it, not to sign).
 */
export interface FleetKey {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject | undefined;
  /** The uncompressed point `04 ‖ X ‖ Y` (65 bytes): what Tesla's `public_key` and `iss` carry. */
  readonly publicPoint: Uint8Array;
  /** The public key as SPKI PEM, exactly what is served. */
  readonly publicPem: string;
  /** Where the key came from, for messages: a file path or an environment variable's name. */
  readonly source: string;
}

/** Where `gatehouse serve` and every `fleet` command look for the key. */
export interface FleetKeySettings {
  /** `--fleet-key FILE`. */
  readonly file?: string | undefined;
  /** `TESLA_PRIVATE_KEY`: a path or the PEM itself. */
  readonly privateKeyEnv?: string | undefined;
  /** `PUBLIC_KEY_PATH`: a public key alone. */
  readonly publicKeyPath?: string | undefined;
}

/** The path Tesla fetches the public key from, on the application's domain. */
export const FLEET_PUBLIC_KEY_PATH = '/.well-known/appspecific/com.tesla.3p.public-key.pem';

/** The uncompressed point of a P-256 public key. */
export function publicPointOf(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new GatehouseError('FLEET_KEY_INVALID', 'the key has no EC point');
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/** The private scalar (32 bytes) of a P-256 private key. */
export function privateScalarOf(key: FleetKey): Uint8Array {
  if (!key.privateKey) {
    throw new GatehouseError(
      'FLEET_KEY_MISSING',
      `${key.source} holds only a public key; signing needs the private key (--fleet-key or TESLA_PRIVATE_KEY)`,
    );
  }
  const d = key.privateKey.export({ format: 'jwk' }).d;
  if (!d) throw new GatehouseError('FLEET_KEY_INVALID', `${key.source}: the private key has no scalar`);
  return Buffer.from(d, 'base64url');
}

function requireP256(key: KeyObject, source: string): void {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  if (curve !== 'prime256v1') {
    const what = key.asymmetricKeyType === 'ec' ? `an EC key on ${curve}` : `a ${key.asymmetricKeyType} key`;
    throw new GatehouseError(
      'FLEET_KEY_INVALID',
      `${source} holds ${what}; Tesla accepts only EC prime256v1 (P-256). Make one with 'gatehouse fleet keys generate'`,
    );
  }
}

/** Reads a PEM holding a P-256 private key (SEC1 or PKCS#8) or, with `allowPublic`, a public key. */
export function fleetKeyFromPem(pem: string, source: string, allowPublic = false): FleetKey {
  if (!pem.includes('-----BEGIN')) {
    throw new GatehouseError('FLEET_KEY_INVALID', `${source} is not a PEM file (no -----BEGIN line)`);
  }
  const isPrivate = /-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem);
  if (!isPrivate && !allowPublic) {
    throw new GatehouseError(
      'FLEET_KEY_INVALID',
      `${source} holds no private key; signing and serving need the private key (a public key alone goes in PUBLIC_KEY_PATH)`,
    );
  }
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    if (isPrivate) {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    }
  } catch (error) {
    const reason = /passphrase/i.test(String(error))
      ? 'it is encrypted; give an unencrypted key'
      : 'it cannot be parsed';
    throw new GatehouseError('FLEET_KEY_INVALID', `${source} holds a key, but ${reason}`, { cause: error });
  }
  requireP256(publicKey, source);
  return {
    publicKey,
    privateKey,
    publicPoint: publicPointOf(publicKey),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    source,
  };
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : String(code);
    throw new GatehouseError('FLEET_KEY_INVALID', `${what} ${path} ${reason}`, { cause: error });
  }
}

/**
 * The key named by the settings: `--fleet-key` first, then `TESLA_PRIVATE_KEY` (a path or PEM),
 * then `PUBLIC_KEY_PATH`; undefined when none is set.
 */
export function loadFleetKey(settings: FleetKeySettings): FleetKey | undefined {
  if (settings.file) return fleetKeyFromPem(readKeyFile(settings.file, 'The fleet key file'), settings.file);
  const env = settings.privateKeyEnv?.trim();
  if (env) {
    if (env.startsWith('-----BEGIN')) return fleetKeyFromPem(env, 'TESLA_PRIVATE_KEY');
    return fleetKeyFromPem(readKeyFile(env, 'TESLA_PRIVATE_KEY names'), env);
  }
  if (settings.publicKeyPath) {
    return fleetKeyFromPem(
      readKeyFile(settings.publicKeyPath, 'PUBLIC_KEY_PATH names'),
      settings.publicKeyPath,
      true,
    );
  }
  return undefined;
}

/**
 * Like {@link loadFleetKey}, for commands that only compare keys: `--fleet-key` and
 * `TESLA_PRIVATE_KEY` may then hold a public key alone.
 */
export function loadKeyToCompare(settings: FleetKeySettings): FleetKey | undefined {
  if (settings.file) {
    return fleetKeyFromPem(readKeyFile(settings.file, 'The fleet key file'), settings.file, true);
  }
  const env = settings.privateKeyEnv?.trim();
  if (env?.startsWith('-----BEGIN')) return fleetKeyFromPem(env, 'TESLA_PRIVATE_KEY', true);
  if (env) return fleetKeyFromPem(readKeyFile(env, 'TESLA_PRIVATE_KEY names'), env, true);
  return loadFleetKey({ publicKeyPath: settings.publicKeyPath });
}

/** Like {@link loadFleetKey}, for commands that cannot work without a private key. */
export function requireSigningKey(settings: FleetKeySettings): FleetKey {
  const key = loadFleetKey({ file: settings.file, privateKeyEnv: settings.privateKeyEnv });
  if (!key) {
    throw new GatehouseError(
      'FLEET_KEY_MISSING',
      "no fleet key: pass --fleet-key FILE or set TESLA_PRIVATE_KEY (make one with 'gatehouse fleet keys generate')",
    );
  }
  return key;
}

/** The files {@link generateFleetKeyFiles} wrote. */
export interface GeneratedKeyFiles {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly key: FleetKey;
}

/**
 * Makes a new prime256v1 key pair in `dir`: `private-key.pem` (SEC1, mode 0600, the form Tesla's
 * own tools write) and `public-key.pem` (SPKI). Refuses to overwrite either file.
 */
export function generateFleetKeyFiles(dir: string): GeneratedKeyFiles {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const privatePem = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const key = fleetKeyFromPem(privatePem, join(dir, 'private-key.pem'));
  mkdirSync(dir, { recursive: true });
  const privateKeyPath = join(dir, 'private-key.pem');
  const publicKeyPath = join(dir, 'public-key.pem');
  const write = (path: string, text: string, mode: number) => {
    try {
      writeFileSync(path, text, { flag: 'wx', mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new GatehouseError('FLEET_KEY_EXISTS', `${path} appeared while writing; it is not overwritten`, {
        cause: error,
      });
    }
  };
  // Both names are checked before either is written, so a refusal leaves no half pair behind.
  const existing = [privateKeyPath, publicKeyPath].find((path) => existsSync(path));
  if (existing) {
    throw new GatehouseError(
      'FLEET_KEY_EXISTS',
      `${existing} exists already; it is not overwritten (a new key unpairs every vehicle). Use another --out DIR or remove it yourself`,
    );
  }
  write(privateKeyPath, privatePem, 0o600);
  write(publicKeyPath, key.publicPem, 0o644);
  return { privateKeyPath, publicKeyPath, key };
}
