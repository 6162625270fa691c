import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatehouseError } from '../../core/errors.ts';
import { DashboardError } from './dashboard-error.ts';

/** Where `npm run build` puts the page: `dist/dashboard/` in the package (from src/ and dist/ alike). */
export const DASHBOARD_BUILD_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

/** One built file, ready to send. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Vite names assets by their hash, so they never change; the page itself does. */
  readonly immutable: boolean;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** The dashboard's answer when its build is missing. */
const dashboardNotBuilt = (index: string): GatehouseError =>
  new DashboardError(
    'FLEET_DASHBOARD_NOT_BUILT',
    `The dashboard page is not built (no ${index}): run npm run build.`,
  );

/**
 * A built page (the dashboard's, or another Vite app's), read into memory on first use: a few
 * small files. Only files the build made are served, looked up by exact name, so no request path
 * reaches the file system.
 */
export class DashboardAssets {
  readonly #dir: string;
  readonly #notBuilt: (index: string) => GatehouseError;
  #files: Map<string, DashboardAsset> | undefined;

  /** `notBuilt` makes the error for a missing build, given the index.html it looked for. */
  constructor(
    dir: string = DASHBOARD_BUILD_DIR,
    notBuilt: (index: string) => GatehouseError = dashboardNotBuilt,
  ) {
    this.#dir = dir;
    this.#notBuilt = notBuilt;
  }

  /** The file at `relative` (`/` is the page, `/assets/…` the rest), or undefined. */
  get(relative: string): DashboardAsset | undefined {
    const files = this.#load();
    return files.get(relative === '' || relative === '/' ? '/index.html' : relative);
  }

  #load(): Map<string, DashboardAsset> {
    if (this.#files) return this.#files;
    const index = join(this.#dir, 'index.html');
    if (!existsSync(index)) throw this.#notBuilt(index);
    const files = new Map<string, DashboardAsset>();
    for (const name of readdirSync(this.#dir, { recursive: true, encoding: 'utf8' })) {
      const path = join(this.#dir, name);
      const contentType = CONTENT_TYPES[extname(name)];
      if (!contentType) continue;
      const key = `/${name.split('\\').join('/')}`;
      files.set(key, { body: readFileSync(path), contentType, immutable: key !== '/index.html' });
    }
    this.#files = files;
    return files;
  }
}
