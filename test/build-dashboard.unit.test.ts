import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildDashboard,
  type DashboardPaths,
  PROJECT_PAGES,
  PROJECT_PATHS,
  staleBecause,
} from '../scripts/build-dashboard.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const HOUR_AGO = new Date(Date.now() - 3_600_000);
const MINUTE_AGO = new Date(Date.now() - 60_000);

/** A page's sources dated an hour ago and its output a minute ago: up to date, until a case changes it. */
function builtProject(): DashboardPaths & {
  readonly app: string;
  readonly lock: string;
  readonly js: string;
} {
  const dir = tempDir('gatehouse-dashboard-stale-');
  const sources = join(dir, 'ui');
  const app = join(sources, 'src/app.tsx');
  const lock = join(dir, 'package-lock.json');
  const output = join(dir, 'dist');
  const js = join(output, 'assets/index-1a2b.js');
  mkdirSync(join(sources, 'src'), { recursive: true });
  mkdirSync(join(output, 'assets'), { recursive: true });
  writeFileSync(join(sources, 'index.html'), '<script type="module" src="/src/main.tsx"></script>');
  writeFileSync(join(sources, 'src/main.tsx'), 'import "./app.tsx";');
  writeFileSync(app, 'export {};');
  writeFileSync(lock, '{}');
  writeFileSync(
    join(output, 'index.html'),
    '<script type="module" crossorigin src="/fleet/dashboard/assets/index-1a2b.js"></script>' +
      '<link rel="stylesheet" crossorigin href="/fleet/dashboard/assets/index-3c4d.css">',
  );
  writeFileSync(js, '');
  writeFileSync(join(output, 'assets/index-3c4d.css'), '');
  for (const path of [app, join(sources, 'src/main.tsx'), join(sources, 'index.html'), lock]) {
    utimesSync(path, HOUR_AGO, HOUR_AGO);
  }
  for (const path of [join(sources, 'src'), sources]) utimesSync(path, HOUR_AGO, HOUR_AGO);
  for (const path of [join(output, 'index.html'), js, join(output, 'assets/index-3c4d.css')]) {
    utimesSync(path, MINUTE_AGO, MINUTE_AGO);
  }
  return { sources, alsoFrom: [lock], output, app, lock, js };
}

describe('the dashboard build step skips a page newer than its inputs', () => {
  const cases: [string, (p: ReturnType<typeof builtProject>) => void, RegExp | undefined][] = [
    ['nothing changed since the build', () => {}, undefined],
    ['a source edited', (p) => utimesSync(p.app, new Date(), new Date()), /app\.tsx changed/],
    ['a source deleted: its folder changed', (p) => rmSync(p.app), /ui\/src changed/],
    [
      'the lock file rewritten',
      (p) => utimesSync(p.lock, new Date(), new Date()),
      /package-lock\.json changed/,
    ],
    ['an asset the page names is gone', (p) => rmSync(p.js), /missing or incomplete/],
    ['no output at all', (p) => rmSync(p.output, { recursive: true }), /missing or incomplete/],
  ];
  for (const [name, change, stale] of cases) {
    test(name, () => {
      const project = builtProject();
      change(project);
      const why = staleBecause(project);
      if (stale) assert.match(why ?? 'up to date', stale);
      else assert.equal(why, undefined);
    });
  }

  test("Vite's build of the real page is complete and counts as up to date", () => {
    const paths = { ...PROJECT_PATHS, output: join(tempDir('gatehouse-dashboard-out-'), 'dashboard') };
    assert.match(staleBecause(paths) ?? 'up to date', /missing or incomplete/);
    buildDashboard(paths);
    assert.equal(staleBecause(paths), undefined);
  });

  test('no page is built where tsc puts a folder of src/ (Vite empties its output first)', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    for (const page of PROJECT_PAGES) {
      assert.equal(
        existsSync(join(src, basename(page.output))),
        false,
        `${page.output} is also src/'s output`,
      );
    }
  });
});
