import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build`'s page step (so `npm start`'s and `npm install`'s too): `vite build ui/dashboard`
 * into dist/dashboard/ and `vite build ui/admin` into dist/admin-app/ (dist/admin/ is the compiled src/admin/), each skipped while its output is
 * newer than everything it is built from. Times, not contents, decide: git writes every file it changes, so a pull, a checkout
 * or an edit makes the page stale, and a deleted or renamed source changes its directory's time.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What the dashboard is built from and where it goes. */
export interface DashboardPaths {
  /** The page's folder: sources, index.html, the Vite and TypeScript configurations. */
  readonly sources: string;
  /** Files outside it that change the output too (the lock file: Vite's and Preact's versions). */
  readonly alsoFrom: readonly string[];
  /** The built page: index.html and assets/. */
  readonly output: string;
}

/** The paths of the project's page `ui/<name>`, built into `dist/<output>`. */
function projectPage(name: string, output: string = name): DashboardPaths {
  return {
    sources: join(ROOT, 'ui', name),
    alsoFrom: [join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url)],
    output: join(ROOT, 'dist', output),
  };
}

/** The project's own paths: the Fleet dashboard. */
export const PROJECT_PATHS: DashboardPaths = projectPage('dashboard');

/** Every page the package serves: the Fleet dashboard and the admin web app. */
export const PROJECT_PAGES: readonly DashboardPaths[] = [PROJECT_PATHS, projectPage('admin', 'admin-app')];

/** Every file and folder under `dir` (node_modules left out), `dir` included. */
function entriesUnder(dir: string): string[] {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return [
    dir,
    ...names.filter((name) => !name.split(/[\\/]/).includes('node_modules')).map((n) => join(dir, n)),
  ];
}

/** The built files: index.html and every asset it names; undefined when any of them is missing. */
function builtFiles(output: string): string[] | undefined {
  const index = join(output, 'index.html');
  if (!existsSync(index)) return undefined;
  const assets = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="[^"]*?\/(assets\/[^"?#]+)"/g)].map(
    (match) => join(output, match[1]!),
  );
  if (assets.length === 0 || !assets.every((asset) => existsSync(asset))) return undefined;
  return [index, ...assets];
}

/** Why the page must be built, or undefined when its output is newer than every input. */
export function staleBecause(paths: DashboardPaths): string | undefined {
  const built = builtFiles(paths.output);
  if (!built) return `${relative(ROOT, paths.output) || paths.output} is missing or incomplete`;
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  for (const input of [...entriesUnder(paths.sources), ...paths.alsoFrom]) {
    if (statSync(input).mtimeMs >= builtAt) return `${relative(ROOT, input) || input} changed`;
  }
  return undefined;
}

/** Builds the page with Vite, its files dated from the build's start (an edit during it counts). */
export function buildDashboard(paths: DashboardPaths): void {
  const started = new Date();
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', paths.sources, '--outDir', paths.output, '--emptyOutDir'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  for (const file of builtFiles(paths.output) ?? []) utimesSync(file, started, started);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const paths of PROJECT_PAGES) {
    const why = process.argv.includes('--force') ? 'asked with --force' : staleBecause(paths);
    const shown = relative(ROOT, paths.output);
    if (why === undefined) {
      const from = relative(ROOT, paths.sources);
      process.stdout.write(`${shown} is newer than ${from} and package-lock.json: not rebuilt\n`);
    } else {
      process.stdout.write(`building ${shown} (${why})\n`);
      buildDashboard(paths);
    }
  }
}
