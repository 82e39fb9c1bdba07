// The JS tokenizer must encode exactly as Python `tokenizers` did when it wrote the fixture
// (test/fixtures/tokenizer/make_tokenizer.py), and decode back to the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, TokenizerLoadError } from '../../src/bench/tokenizer.js';

const fixtureDir = new URL('../fixtures/tokenizer/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(fixtureDir, 'expected.json'), 'utf8')) as {
  vocabSize: number;
  special: Record<string, number>;
  cases: Array<{ text: string; ids: number[]; decoded: string }>;
};

test('tokenizer encodes every probe string exactly as Python tokenizers does', async () => {
  const tokenizer = await loadTokenizer(join(fixtureDir, 'tokenizer.json'));
  for (const probe of expected.cases) {
    assert.deepEqual(tokenizer.encode(probe.text), probe.ids, `encode(${JSON.stringify(probe.text)})`);
  }
});

test('tokenizer decode round-trips the Python ids to the original text', async () => {
  const tokenizer = await loadTokenizer(join(fixtureDir, 'tokenizer.json'));
  for (const probe of expected.cases) {
    assert.equal(tokenizer.decode(probe.ids), probe.decoded, `decode of ${JSON.stringify(probe.text)}`);
    assert.equal(tokenizer.decode(tokenizer.encode(probe.text)), probe.text);
  }
});

test('tokenizer knows the special tokens and vocabulary size', async () => {
  const tokenizer = await loadTokenizer(join(fixtureDir, 'tokenizer.json'));
  assert.equal(tokenizer.vocabSize, expected.vocabSize);
  for (const [token, id] of Object.entries(expected.special)) assert.equal(tokenizer.tokenToId(token), id);
  assert.equal(tokenizer.decode([1, ...tokenizer.encode('hi'), 2], { skipSpecialTokens: true }), 'hi');
});

const badFiles = [
  { name: 'missing file', content: null, error: /cannot read: ENOENT/ },
  { name: 'not JSON', content: '{"model": ', error: /not valid JSON/ },
  { name: 'JSON without a model', content: '{"version": "1.0"}', error: /no "model" key/ },
];
for (const bad of badFiles) {
  test(`loadTokenizer rejects a ${bad.name} with a TokenizerLoadError naming the file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wdmoe-tok-'));
    const path = join(dir, 'tokenizer.json');
    if (bad.content !== null) writeFileSync(path, bad.content);
    await assert.rejects(loadTokenizer(path), (error: unknown) => {
      assert.ok(error instanceof TokenizerLoadError);
      assert.match(error.message, bad.error);
      assert.ok(error.message.includes(path));
      return true;
    });
  });
}
