import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../core/private-file.ts';
import type { CachedToken, TokenStorage } from './partner-token.ts';

/** `$XDG_CACHE_HOME/gatehouse`, else `~/.cache/gatehouse`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const xdg = env['XDG_CACHE_HOME']?.trim();
  return join(xdg || join(home, '.cache'), 'gatehouse');
}

const isCachedToken = (value: unknown): value is CachedToken =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as CachedToken).accessToken === 'string' &&
  typeof (value as CachedToken).expiresAtMs === 'number';

/**
 * Tokens in files of their own under `dir` (made 0700), each written 0600 and renamed into
 * place so a reader never sees half a file. A file that cannot be read or parsed counts as absent;
 * a cache that cannot be written is skipped, since the token itself was got.
 */
export function fileTokenStorage(dir: string, onWriteError?: (error: Error) => void): TokenStorage {
  const path = (key: string) => join(dir, `partner-token-${key}.json`);
  return {
    read(key) {
      try {
        const value: unknown = JSON.parse(readFileSync(path(key), 'utf8'));
        return isCachedToken(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    write(key, token) {
      try {
        writePrivateFile(path(key), JSON.stringify(token));
      } catch (error) {
        onWriteError?.(error as Error);
      }
    },
  };
}
