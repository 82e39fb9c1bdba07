// Checks that a tokenizer.json loads in @huggingface/tokenizers (the JS package the BS uses) and
// encodes like the Python `tokenizers` library. Usage: node scripts/check_tokenizer.mjs DIR/tokenizer.json EXPECTED.json
// EXPECTED.json: [{"text": "...", "ids": [...]}, ...] written by the Python side (scripts/export_bundle.py --check-file).
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

const [tokenizerPath, expectedPath] = process.argv.slice(2);
const tokenizer = new Tokenizer(JSON.parse(readFileSync(tokenizerPath, 'utf8')), {});
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
let failures = 0;
for (const { text, ids } of expected) {
  const got = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const same = got.length === ids.length && got.every((id, i) => id === ids[i]);
  if (!same) { failures += 1; console.error(`MISMATCH ${JSON.stringify(text)}: js ${got} python ${ids}`); }
  const decoded = tokenizer.decode(got);
  if (decoded !== text) { failures += 1; console.error(`DECODE ${JSON.stringify(text)} -> ${JSON.stringify(decoded)}`); }
}
console.log(`${expected.length - failures}/${expected.length} strings encode and decode identically`);
process.exit(failures === 0 ? 0 : 1);
