import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { describe, test } from 'node:test';
import { type DocPage, docPages, REPO_ROOT } from './helpers/doc-files.ts';
import { anchors, linkTargets, renderedHeading, slug } from './helpers/markdown.ts';

/** What the checker may ask of the repository: whether a path exists, and a Markdown file's text. */
interface Files {
  exists(path: string): boolean;
  text(path: string): string;
}

const repository: Files = {
  exists: (path) => existsSync(join(REPO_ROOT, path)),
  text: (path) => readFileSync(join(REPO_ROOT, path), 'utf8'),
};

/** The page's relative links and anchors that lead nowhere, each as `page: target (why)`. */
function deadLinks(page: DocPage, files: Files): { checked: number; dead: string[] } {
  const dead: string[] = [];
  let checked = 0;
  for (const target of linkTargets(page.text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    checked++;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : target.slice(hash + 1);
    const path = pathPart === '' ? page.path : normalize(join(dirname(page.path), pathPart));
    const why =
      isAbsolute(pathPart) || path.startsWith('..')
        ? 'leaves the repository'
        : !files.exists(path)
          ? 'no such file'
          : anchor === undefined
            ? undefined
            : !path.endsWith('.md')
              ? 'an anchor into a file that is not Markdown'
              : !anchors(files.text(path)).includes(anchor)
                ? `no heading of ${path} has the anchor #${anchor}`
                : undefined;
    if (why) dead.push(`${page.path}: ${target} (${why})`);
  }
  return { checked, dead };
}

describe('links in the README and docs/', () => {
  test('headings get GitHub anchors: punctuation and code marks dropped, spaces to hyphens, repeats numbered', () => {
    const cases: [heading: string, anchor: string][] = [
      ['Per-route auth (`auth`)', 'per-route-auth-auth'],
      [
        'Tesla login and the vehicle report (`fleet-login` routes)',
        'tesla-login-and-the-vehicle-report-fleet-login-routes',
      ],
      [
        'TLS passthrough: the TLS ends on your machine (`--tls-passthrough`)',
        'tls-passthrough-the-tls-ends-on-your-machine---tls-passthrough',
      ],
      ['Lost the printed key?', 'lost-the-printed-key'],
      ["A route's own OAuth app", 'a-routes-own-oauth-app'],
      ['1. Small GET', '1-small-get'],
      ['[Routes](docs/guides/routes.md) and **more**', 'routes-and-more'],
    ];
    for (const [heading, anchor] of cases) assert.equal(slug(renderedHeading(heading)), anchor, heading);
    assert.deepEqual(anchors('# Top\n## Goals\n```sh\n# a comment, not a heading\n```\n## Goals\n'), [
      'top',
      'goals',
      'goals-1',
    ]);
  });

  test('the checker reports a missing file, a missing anchor and a link out of the repository, and nothing else', () => {
    const pages: Record<string, string> = {
      'docs/guide.md': [
        '# Guide',
        '## Set it up',
        'See [setup](#set-it-up), [the other](other.md#its-heading) and [the site](https://example.com/x).',
        'Dead: [gone](missing.md), [no anchor](other.md#nowhere), [up](../../outside.md), [self](#nothing).',
        '`[shown as code](missing-too.md)`',
        '```md',
        '[in a code block](missing-three.md)',
        '```',
        '![picture](images/shot.png)',
        '[ref]: other.md#its-heading',
      ].join('\n'),
      'docs/other.md': '# Other\n## Its heading\n',
      'docs/images/shot.png': '',
    };
    const files: Files = { exists: (path) => path in pages, text: (path) => pages[path]! };
    const { checked, dead } = deadLinks({ path: 'docs/guide.md', text: pages['docs/guide.md']! }, files);
    assert.equal(checked, 8);
    assert.deepEqual(dead, [
      'docs/guide.md: missing.md (no such file)',
      'docs/guide.md: other.md#nowhere (no heading of docs/other.md has the anchor #nowhere)',
      'docs/guide.md: ../../outside.md (leaves the repository)',
      'docs/guide.md: #nothing (no heading of docs/guide.md has the anchor #nothing)',
    ]);
  });

  test('every relative link and anchor in README.md and docs/**/*.md resolves', () => {
    const pages = docPages();
    assert.ok(pages.some((p) => p.path === 'README.md') && pages.length > 1, 'the README and docs/ are read');
    let checked = 0;
    const dead: string[] = [];
    for (const page of pages) {
      const result = deadLinks(page, repository);
      checked += result.checked;
      dead.push(...result.dead);
    }
    assert.ok(checked > 0, 'the pages link to each other');
    assert.deepEqual(dead, []);
  });
});
