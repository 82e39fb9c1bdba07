// Writes the placement advisor's proposal as a testbed YAML: the original file edited through yaml's Document
// API, so its comments, key order and every other setting survive; only `placement` is replaced (and `replicas`, which only spreads round-robin, removed) (a map of
// device → expert specs, each list in flow style, a comment above saying where it came from and what it
// predicts), and `model` / `auth.token_file` are re-pointed when the new file lies in another folder (they are
// relative to the file). The result is validated like any testbed before the caller trusts it. Called by
// cli/commands/place.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { writeFileAtomicSync } from '../core/index.js';
import { assertValidTestbed } from '../testbed/index.js';

// `placement` → device → specs; `comment` goes above the placement key.
export async function writePlacementYaml(sourceFile: string, outFile: string, placement: Readonly<Record<string, readonly string[]>>, comment: string): Promise<void> {
  const doc = parseDocument(readFileSync(sourceFile, 'utf8'));
  const map = new YAMLMap();
  for (const [device, specs] of Object.entries(placement)) {
    if (specs.length === 0) continue; // a device holding nothing is simply not in the map
    const seq = new YAMLSeq();
    seq.flow = true;
    for (const spec of specs) seq.add(doc.createNode(spec));
    map.set(device, seq);
  }
  doc.set('placement', map);
  doc.delete('replicas'); // a map lists its replicas itself (`replicas` spreads round-robin only)
  const pair = isMap(doc.contents) ? doc.contents.items.find((item) => isScalar(item.key) && item.key.value === 'placement') : undefined;
  if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = comment.split('\n').map((line) => ` ${line}`).join('\n');
  const from = path.dirname(path.resolve(sourceFile));
  const to = path.dirname(path.resolve(outFile));
  if (from !== to) {
    for (const key of [['model'], ['auth', 'token_file']]) {
      const value = doc.getIn(key);
      if (typeof value === 'string' && !path.isAbsolute(value)) doc.setIn(key, path.relative(to, path.resolve(from, value)) || '.');
    }
  }
  writeFileAtomicSync(outFile, doc.toString({ lineWidth: 0 })); // lineWidth 0: flow maps stay on their one line
  await assertValidTestbed(outFile); // the proposal must be a testbed bench can run
}
