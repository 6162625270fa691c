import { readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from '../core/private-file.ts';

/** A login `gatehouse login` saved for one server. */
export const savedLogin = z.object({
  /** The server's origin, as given to --server. */
  server: z.string(),
  /** `<provider>:<login>`, for messages. */
  login: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  /** Milliseconds since the epoch. */
  expiresAt: z.number(),
});

/** A login `gatehouse login` saved for one server. */
export type SavedLogin = z.infer<typeof savedLogin>;

const loginsFile = z.record(z.string(), savedLogin);

/** `$XDG_CONFIG_HOME/gatehouse`, else `~/.config/gatehouse`. */
export function defaultConfigDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const xdg = env['XDG_CONFIG_HOME']?.trim();
  return join(xdg || join(home, '.config'), 'gatehouse');
}

/**
 * Logins by server origin in `logins.json` (0600). A file that cannot be read or parsed holds no
 * logins; the next save replaces it.
 */
export class SavedLogins {
  readonly #path: string;

  constructor(dir: string) {
    this.#path = join(dir, 'logins.json');
  }

  /** Where the logins are kept, for messages. */
  get path(): string {
    return this.#path;
  }

  #all(): Record<string, SavedLogin> {
    try {
      const parsed = loginsFile.safeParse(JSON.parse(readFileSync(this.#path, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  /** The login saved for the server at `origin`. */
  get(origin: string): SavedLogin | undefined {
    return this.#all()[origin];
  }

  /** Saves (or replaces) the login of its server. */
  put(login: SavedLogin): void {
    const all = this.#all();
    all[login.server] = login;
    writePrivateFile(this.#path, `${JSON.stringify(all, null, 2)}\n`);
  }

  /** Forgets the login of the server at `origin`; false when there was none. */
  remove(origin: string): boolean {
    const all = this.#all();
    if (!all[origin]) return false;
    delete all[origin];
    if (Object.keys(all).length === 0) rmSync(this.#path, { force: true });
    else writePrivateFile(this.#path, `${JSON.stringify(all, null, 2)}\n`);
    return true;
  }
}
