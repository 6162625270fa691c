import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Markdown page of the documentation: its path from the root and its text. */
export interface DocPage {
  readonly path: string;
  readonly text: string;
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** README.md and every Markdown file under docs/, sorted. */
export function docPages(): DocPage[] {
  return [join(REPO_ROOT, 'README.md'), ...markdownUnder(join(REPO_ROOT, 'docs'))]
    .map((file) => ({ path: relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** One page's text, by its path from the root (`docs/guides/tesla-fleet-kit.md`). */
export function docPage(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}
