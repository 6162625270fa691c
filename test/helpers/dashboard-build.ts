import { execFile } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DASHBOARD_BUILD_DIR } from '../../src/telemetry/dashboard/dashboard-assets.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'ui/dashboard');

/**
 * Makes sure dist/dashboard/ holds a build of the current page sources, as `npm run build` makes
 * it: tests run from src/ and may find no build, or one older than the sources. Built aside and
 * moved into place, so a test reading the old build never sees half a new one.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const index = join(DASHBOARD_BUILD_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(SOURCES)) return;
  const aside = `${DASHBOARD_BUILD_DIR.replace(/\/$/, '')}.building-${process.pid}`;
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', SOURCES, '--outDir', aside, '--emptyOutDir'],
    { cwd: ROOT },
  );
  rmSync(DASHBOARD_BUILD_DIR, { recursive: true, force: true });
  renameSync(aside, DASHBOARD_BUILD_DIR);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (name.includes('node_modules')) continue;
    newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  }
  return newest;
}
