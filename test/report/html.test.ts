// The page itself, without a browser (test/e2e/report-html.test.ts opens it in Chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderReportHtml } from '../../src/report/html.js';
import { buildReport } from '../../src/report/build-report.js';
import { loadRun } from '../../src/report/load-run.js';
import { splitSeries } from '../../src/report/series.js';
import { folderWith, layerLine, run } from './helpers.js';
import { AWKWARD_POLICY, awkwardReport } from './renderers.js';

test('text is escaped for HTML content and attributes', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('the page is self-contained: inline SVG plots with figure ids, no script, nothing to fetch, a CSP that forbids loads', async () => {
  const folders = [loadRun(run('wireless'), 'wireless')];
  const html = await renderReportHtml(buildReport(folders, { baseline: null }), splitSeries(folders));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
  assert.doesNotMatch(html, /<script|<link |<img |@import|url\(/i);
  assert.deepEqual([...html.matchAll(/<figure id="([^"]+)"><svg/g)].map((match) => match[1]),
    ['plot-latency-cdf', 'plot-breakdown', 'plot-tradeoff', 'plot-device-load', 'plot-layers-1', 'plot-layers-2']);
  assert.match(html, /<p>wireless: testbed <code>loopback-wireless<\/code>, loopback, userspace shaping, cell 20 MHz down \/ 20 MHz up, rayleigh fading<\/p>/);
  assert.match(html, /bandwidth share/, 'format-2 layers draw the share panel');
});

test('labels and notes are escaped in the page', async () => {
  const folder = folderWith([0, 1].map((i) => layerLine(i, { newer: false, policy: AWKWARD_POLICY })), AWKWARD_POLICY);
  const html = await renderReportHtml(awkwardReport(), splitSeries([folder]));
  assert.ok(html.includes('w,d|moe &quot;x&quot;') && !html.includes('w,d|moe "x"</td>'));
  assert.match(html, /<div class="notes"><strong>Notes<\/strong><ul><li>no summary\.json/);
});
