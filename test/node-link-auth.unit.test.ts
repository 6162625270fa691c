import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeLinkKey, signNodeLink, verifyNodeLink } from '../src/tunnel/server/node-link-auth.ts';

const NOW = 1_800_000_000_000;
const key = nodeLinkKey(Buffer.alloc(32, 1));
const good = signNodeLink(key, 'node-a', NOW);

describe('links between nodes', () => {
  it('names the node that signed a fresh token', () => {
    assert.equal(verifyNodeLink(key, good, NOW), 'node-a');
    assert.equal(verifyNodeLink(key, good, NOW + 4 * 60_000), 'node-a');
  });

  const [node, ms, mac] = good.split('.') as [string, string, string];
  const bad: [string, string, Buffer, number][] = [
    ['another deployment’s key', good, nodeLinkKey(Buffer.alloc(32, 2)), NOW],
    ['a token older than five minutes', good, key, NOW + 6 * 60_000],
    ['a token from the future', good, key, NOW - 6 * 60_000],
    ['another node’s name on the mac', `node-b.${ms}.${mac}`, key, NOW],
    ['another time on the mac', `${node}.${Number(ms) + 1}.${mac}`, key, NOW],
    ['a cut mac', `${node}.${ms}.${mac.slice(0, 10)}`, key, NOW],
    ['no mac', `${node}.${ms}`, key, NOW],
    ['a node name with dots', `a.b.${ms}.${mac}`, key, NOW],
    ['an empty token', '', key, NOW],
  ];
  for (const [name, token, k, now] of bad)
    it(`refuses ${name}`, () => assert.equal(verifyNodeLink(k, token, now), undefined));
});
