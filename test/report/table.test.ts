import { createRequire } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportTable } from '../../src/report/table.js';
import { awkwardReport } from './renderers.js';

test('the terminal rendering is one titled table per section, then the notes; no colour unless asked', () => {
  const text = renderReportTable(awkwardReport());
  assert.match(text, /^Accuracy per dataset × policy \(95% Wilson interval\)\n┌/);
  assert.match(text, /\nPer-device load \(from layers\.jsonl\)\n┌[\s\S]*mean share[\s\S]*40\.0%/);
  assert.match(text, /\nNotes\n- no summary\.json/);
  assert.ok(!text.includes('\u001b['), 'no ANSI escapes');
  // cli-table3's colour library switches itself off under CI=true or without a terminal; force it on for this check.
  const colors = createRequire(import.meta.url)('@colors/colors/safe') as { enabled: boolean };
  const was = colors.enabled;
  colors.enabled = true;
  try {
    assert.ok(renderReportTable(awkwardReport(), { color: true }).includes('\u001b['), 'colour when asked');
  } finally {
    colors.enabled = was;
  }
});
