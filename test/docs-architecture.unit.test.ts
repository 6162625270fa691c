import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAYERS } from '../scripts/layers.ts';
import { docPage } from './helpers/doc-files.ts';

test('docs/architecture.md describes every layer of scripts/layers.ts, in its order', () => {
  const rows = [...docPage('docs/architecture.md').matchAll(/^\| `([a-z/-]+)` \| /gm)].map((m) => m[1]);
  assert.deepEqual(rows, [...LAYERS], 'a layer added to scripts/layers.ts gets its row in the table');
});
