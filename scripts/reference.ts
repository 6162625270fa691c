/**
 * `npm run docs`: writes the reference in docs/reference/ from the source (the settings table, the
 * route and config schemas, the error codes, each command's help, the admin API's OpenAPI document).
 * test/reference-docs.unit.test.ts fails when a committed page differs from what this would write.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_DIR, referencePages } from './reference/pages.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, REFERENCE_DIR);
const pages = await referencePages();
mkdirSync(dir, { recursive: true });
// A page the generator no longer makes would otherwise stay behind, stale.
for (const name of readdirSync(dir)) if (!(name in pages)) rmSync(join(dir, name));
for (const [name, text] of Object.entries(pages)) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${Object.keys(pages).length} pages to ${REFERENCE_DIR}/\n`);
