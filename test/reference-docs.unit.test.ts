import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { GENERATED } from '../scripts/reference/markdown.ts';
import { REFERENCE_DIR, referencePages } from '../scripts/reference/pages.ts';
import { SERVE_HELP } from '../src/cli/serve-command.ts';
import { SETTINGS } from '../src/config/settings.ts';
import { GatehouseError } from '../src/core/errors.ts';
import { errorDocs } from '../src/http/error-docs.ts';
import { errorAnswer } from '../src/http/error-response.ts';
import { ERROR_CODES } from '../src/http/error-status.ts';

const ROOT = new URL('../', import.meta.url);
const committed = (name: string) => readFileSync(new URL(`${REFERENCE_DIR}/${name}`, ROOT), 'utf8');

describe('the reference in docs/reference/', () => {
  let pages: Record<string, string>;
  before(async () => {
    pages = await referencePages();
  });

  test('every committed page is what the source makes now', () => {
    const stale = Object.entries(pages)
      .filter(
        ([name, text]) => !existsSync(new URL(`${REFERENCE_DIR}/${name}`, ROOT)) || committed(name) !== text,
      )
      .map(([name]) => `${REFERENCE_DIR}/${name}`);
    assert.deepEqual(stale, [], 'the reference is out of date: run npm run docs and commit the result');
    const extra = readdirSync(new URL(REFERENCE_DIR, ROOT)).filter((name) => !(name in pages));
    assert.deepEqual(extra, [], 'pages the generator no longer makes: run npm run docs');
  });

  test('the same source makes the same text, and each page says it is generated and by what', async () => {
    assert.deepEqual(await referencePages(), pages);
    for (const [name, text] of Object.entries(pages)) {
      const first = name.endsWith('.json') ? JSON.parse(text)['x-generated'] : text.split('\n')[0];
      assert.match(first, /npm run docs/, name);
    }
    assert.ok(pages['configuration.md']!.startsWith(`${GENERATED}\n`));
  });

  test('errors.md has one heading per code, which the docs link of a JSON error names', () => {
    const errors = pages['errors.md']!;
    for (const code of ERROR_CODES) {
      const headings = errors.split('\n').filter((line) => line === `### ${code}`);
      assert.equal(headings.length, 1, `one heading for ${code}`);
      // A heading's anchor is its text in lower case: ### ROUTE_NOT_FOUND is #route_not_found.
      assert.equal(errorDocs(code), `docs/reference/errors.md#${code.toLowerCase()}`);
    }
    const { document } = errorAnswer(new GatehouseError('ROUTE_NOT_FOUND', 'No route serves x.test/.'));
    assert.equal(document.docs, 'docs/reference/errors.md#route_not_found');
    assert.ok(
      existsSync(new URL(document.docs.split('#')[0]!, ROOT)),
      'the link leads to a file the package has',
    );
    assert.equal(errorAnswer(new Error('boom')).document.docs, 'docs/reference/errors.md#internal');
  });

  test('configuration.md lists every setting with its variable and older names, cli.md the help', () => {
    const configuration = pages['configuration.md']!;
    for (const setting of SETTINGS)
      for (const name of [setting.key, setting.env, ...(setting.aliases ?? [])])
        assert.ok(configuration.includes(`\`${name}\``), `${setting.key}: ${name}`);
    assert.ok(pages['cli.md']!.includes(SERVE_HELP.trimEnd()));
    assert.match(
      pages['routes.md']!,
      /\| `timeouts\.connectMs` \| proxy, relay, fleet-proxy \| integer, 1 to 600000 \| {2}\| `10000` \|/,
    );
  });
});
