import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A Vite build of the dashboard page's current sources, made once per version of them and kept
 * in the temp directory: tests run from src/ and must not depend on, or race with, the
 * dist/dashboard/ that `npm run build` (and `npm start`) rewrite. Returns its directory.
 */
export function builtDashboard(): Promise<string> {
  return builtPage('dashboard');
}

/** The same for the admin web app (ui/admin). */
export function builtAdminApp(): Promise<string> {
  return builtPage('admin');
}

/** A Vite build of `ui/<name>`, made once per version of its sources. */
async function builtPage(name: string): Promise<string> {
  const sources = join(ROOT, 'ui', name);
  const dir = join(tmpdir(), `gatehouse-${name}-${sourcesHash(sources)}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  const aside = `${dir}.building-${process.pid}`;
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', sources, '--outDir', aside, '--emptyOutDir'],
    { cwd: ROOT },
  );
  // Another test file may have finished the same build first: either copy is the same.
  if (existsSync(join(dir, 'index.html'))) rmSync(aside, { recursive: true, force: true });
  else renameSync(aside, dir);
  return dir;
}

function sourcesHash(sources: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(sources, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(sources, name);
    if (name.includes('node_modules') || !statSync(path).isFile()) continue;
    hash.update(name).update(readFileSync(path));
  }
  hash.update(readFileSync(join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}
