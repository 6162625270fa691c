import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));

describe('package files', () => {
  test('the lock file lists every optional dependency, so npm install in a fresh clone leaves it as it is', () => {
    const lock = read('package-lock.json');
    const packages: Record<string, { optionalDependencies?: Record<string, string> }> = lock.packages;
    const missing = Object.entries(packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter(
          (name) => !(`node_modules/${name}` in packages) && !(`${path}/node_modules/${name}` in packages),
        )
        .map((name) => `${name} (optional dependency of ${path || 'the project'})`),
    );
    assert.deepEqual(missing, [], 'commit the lock file as `npm install` writes it');
  });

  test('engines names the Node Gatehouse needs, and the README says why npm may warn about it', () => {
    const pkg = read('package.json');
    // 22.13 unflagged node:sqlite, which the embedded store needs.
    assert.equal(pkg.engines?.node, '>=22.13');
    assert.deepEqual(read('package-lock.json').packages[''].engines, pkg.engines, 'the lock says the same');
    const guard = readFileSync(new URL('../bin/gatehouse.js', import.meta.url), 'utf8');
    assert.match(guard, /major === 22 && minor < 13\)/, 'bin/gatehouse.js refuses what engines refuses');
    assert.match(guard, /needs Node\.js 22\.13 or newer/);
    assert.ok(pkg.devDependencies.node, 'Node is pinned as a dependency');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    assert.match(readme, /EBADENGINE[\s\S]*harmless/);
  });
});
