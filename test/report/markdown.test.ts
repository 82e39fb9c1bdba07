import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportMarkdown } from '../../src/report/markdown.js';
import { awkwardReport } from './renderers.js';

const cells = (line: string): number => line.replaceAll('\\|', '').split('|').length - 2;

test('Markdown: a ### title and a pipe table per section, pipes escaped, numbers right-aligned, then the notes', () => {
  const markdown = renderReportMarkdown(awkwardReport());
  assert.match(markdown, /^### Accuracy per dataset × policy \(95% Wilson interval\)\n\n\| dataset \| policy \| n \| acc \|/);
  assert.match(markdown, /\n\| :--- \| :--- \| ---: \| ---: \|/);
  assert.ok(markdown.includes('| w,d\\|moe "x" |'), 'the pipe in the label is escaped');
  assert.match(markdown, /\n### Notes\n\n- no summary\.json: the run did not finish/);
  for (const block of markdown.split('\n\n').filter((text) => text.startsWith('|'))) {
    const lines = block.split('\n');
    for (const line of lines) assert.equal(cells(line), cells(lines[0]!), `every row has the header's cells: ${line}`);
  }
  assert.ok(markdown.endsWith('\n'));
});
