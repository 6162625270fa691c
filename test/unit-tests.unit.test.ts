import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// `npm run test:fast` runs test/**/*.unit.test.ts in one process, in seconds: those files must start
// no server, process or browser. The name is the rule, checked both ways here, so a new test that
// starts nothing joins the fast run by its name and a unit test that starts something is caught.

const TEST = fileURLToPath(new URL('./', import.meta.url));

/** What starts a server, a process or a browser, written in a test or a test helper. */
const STARTS: readonly [string, RegExp][] = [
  ['a server (createServer)', /\bcreateServer\b/],
  ['a listening socket (.listen)', /\.listen\(/],
  ['a WebSocket server', /\bWebSocketServer\b/],
  ['a process (node:child_process)', /from 'node:child_process'/],
  ['a browser (playwright)', /from 'playwright-core'/],
  ['a Hono server (serve)', /(?<![.\w])serve\(/],
  // What listens in src/ and test/helpers/ is started by a function named start… (startGateway,
  // startSimulator, startUpstream…). A method such as builder.startObject() is not one.
  ['a start…() call', /(?<![.\w])start[A-Z]\w*\(/],
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts') && !name.startsWith('fixtures'))
    .map((name) => join(dir, name));
}

/** The test/ files a file imports code from by a relative path (helpers, mostly); types start nothing. */
function localImports(path: string, source: string): string[] {
  return [...source.matchAll(/^\s*import\s+(?!type\b)[^'";]*?\bfrom\s*'(\.{1,2}\/[^']+)'/gm)]
    .map((m) => join(dirname(path), m[1]!))
    .filter((target) => !relative(TEST, target).startsWith('..'));
}

const reasons = new Map<string, string | undefined>();

/** Why a file starts something (by itself or through a helper it imports), or undefined if it does not. */
function whatItStarts(path: string): string | undefined {
  if (reasons.has(path)) return reasons.get(path);
  reasons.set(path, undefined); // an import cycle adds nothing
  const source = readFileSync(path, 'utf8');
  let reason = STARTS.find(([, pattern]) => pattern.test(source))?.[0];
  for (const helper of reason ? [] : localImports(path, source)) {
    const through = whatItStarts(helper);
    if (through) reason = `${through}, through ${relative(TEST, helper)}`;
    if (reason) break;
  }
  reasons.set(path, reason);
  return reason;
}

const SELF = fileURLToPath(import.meta.url);

// This file names what it looks for, so it is left out.
const files = testFiles(TEST)
  .filter((path) => path !== SELF)
  .map((path) => ({
    name: relative(TEST, path),
    unit: path.endsWith('.unit.test.ts'),
    starts: whatItStarts(path),
  }));

test('a *.unit.test.ts file starts no server, process or browser, nor imports a helper that does', () => {
  const starting = files.filter((f) => f.unit && f.starts).map((f) => `${f.name} starts ${f.starts}`);
  assert.deepEqual(
    starting,
    [],
    'rename these to *.test.ts: npm run test:fast is for tests that start nothing',
  );
});

test('a test file that starts nothing is named *.unit.test.ts, so npm run test:fast runs it', () => {
  const missed = files.filter((f) => !f.unit && !f.starts).map((f) => f.name);
  assert.deepEqual(missed, [], 'rename these to *.unit.test.ts');
});

test('the rule sees what it looks for, in helpers too, and follows their imports', () => {
  assert.equal(whatItStarts(join(TEST, 'helpers/gateway.ts')), 'a start…() call');
  assert.equal(whatItStarts(join(TEST, 'helpers/cli-process.ts')), 'a process (node:child_process)');
  assert.equal(whatItStarts(join(TEST, 'helpers/wait-for.ts')), undefined);
  assert.ok(files.some((f) => f.starts?.includes(', through helpers/')));
  assert.ok(files.some((f) => f.unit) && files.some((f) => !f.unit));
});
