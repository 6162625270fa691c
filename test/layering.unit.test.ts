import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALLOWED_IMPORTS, FORBIDDEN_PACKAGES, LAYERS, type Layer, layerOf } from '../scripts/layers.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every module specifier of a file: static imports and re-exports, and `import()` with a literal. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/^\s*import\s*'([^']+)'/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!);
  return found;
}

const files = sourceFiles(SRC).map((path) => ({ path, name: relative(SRC, path) }));

test('every source file belongs to a layer of the documented order', () => {
  const unplaced = files.filter((f) => layerOf(f.name) === undefined).map((f) => f.name);
  assert.deepEqual(unplaced, [], 'add the folder to scripts/layers.ts and docs/architecture.md');
});

test('no import runs up the layers or between layers that must not know each other', () => {
  const wrong: string[] = [];
  for (const file of files) {
    const from = layerOf(file.name) as Layer;
    for (const spec of specifiers(readFileSync(file.path, 'utf8'))) {
      if (spec.startsWith('.')) {
        const to = layerOf(relative(SRC, join(dirname(file.path), spec)));
        if (to === undefined) wrong.push(`${file.name}: ${spec} leaves src/`);
        else if (to !== from && !ALLOWED_IMPORTS[from].includes(to))
          wrong.push(`${file.name} (${from}) imports ${spec} (${to})`);
      } else if (FORBIDDEN_PACKAGES[from]?.some((p) => spec === p || spec.startsWith(`${p}/`))) {
        wrong.push(`${file.name} (${from}) imports the package ${spec}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the layer table has no cycle, so the order it documents exists', () => {
  const seen = new Set<Layer>();
  const visiting = new Set<Layer>();
  const visit = (layer: Layer, path: Layer[]): void => {
    assert.ok(!visiting.has(layer), `cycle: ${[...path, layer].join(' → ')}`);
    if (seen.has(layer)) return;
    visiting.add(layer);
    for (const next of ALLOWED_IMPORTS[layer]) visit(next, [...path, layer]);
    visiting.delete(layer);
    seen.add(layer);
  };
  for (const layer of Object.keys(ALLOWED_IMPORTS) as Layer[]) visit(layer, []);
  const upward = LAYERS.flatMap((layer, i) =>
    ALLOWED_IMPORTS[layer].filter((to) => LAYERS.indexOf(to) <= i).map((to) => `${layer} → ${to}`),
  );
  assert.deepEqual(upward, [], 'LAYERS lists the layers top first: an allowed import points down the list');
});

test('the checker sees what it must refuse', () => {
  // Guards the guard: a parser that found no imports would pass every file.
  assert.deepEqual(
    specifiers(
      "import a from './a.ts';\nexport { b } from '../b.ts';\nimport 'c';\nconst d = await import('./d.ts');",
    ),
    ['./a.ts', '../b.ts', 'c', './d.ts'],
  );
  assert.equal(layerOf('tunnel/agent/dial.ts'), 'tunnel/agent');
  assert.equal(layerOf('core/errors.ts'), 'core');
  assert.ok(!ALLOWED_IMPORTS['tunnel/agent'].includes('tunnel/server'));
  assert.ok(!ALLOWED_IMPORTS['tunnel/server'].includes('tunnel/agent'));
  assert.ok(!ALLOWED_IMPORTS.store.includes('http'));
});

/** The modules a file loads when imported: its value imports, followed through src/ (not `import()`). */
function loadGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    const source = readFileSync(path, 'utf8');
    const value = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s*'([^']+)'/gm),
      ...source.matchAll(/^\s*import\s*'([^']+)'/gm),
    ].map((m) => m[1]!);
    for (const spec of value) {
      if (spec.startsWith('.')) visit(join(dirname(path), spec));
      else packages.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files, packages };
}

test('a command loads only what it needs: serve loads no simulator, and no broker client until a sink names it', () => {
  const main = loadGraph('cli/main.ts');
  assert.deepEqual(
    [...main.files]
      .map((f) => relative(SRC, f))
      .filter((f) => f.startsWith('cli/') && f.endsWith('-command.ts')),
    [],
    'cli/main.ts imports each command with import() when it runs',
  );
  const serve = loadGraph('cli/serve-command.ts');
  const simulator = [...serve.files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('simulator/'));
  assert.deepEqual(simulator, []);
  for (const heavy of ['mqtt', 'nats', '@peculiar/x509', 'reflect-metadata'])
    assert.ok(!serve.packages.has(heavy), `serve loads ${heavy}`);
  // The walk itself sees packages and files, or the assertions above would pass on nothing.
  assert.ok(serve.packages.has('pino') && serve.files.size > 50);
  assert.ok(loadGraph('simulator/vehicle-ca.ts').packages.has('reflect-metadata'));
});
