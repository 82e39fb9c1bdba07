// The report as one self-contained HTML page: the plots as inline SVG (plots.ts, plot-layers.ts rendered
// by vega.ts), every table of sections.ts, the testbed table and the notes. No script, no external
// stylesheet, font or image; a Content-Security-Policy of default-src 'none' makes the browser refuse
// any load, so the page opens offline and never reaches the network. Called by report-runs.ts.

import { layerTimelineSpec } from './plot-layers.js';
import { breakdownSpec, deviceLoadSpec, latencyCdfSpec, tradeoffSpec } from './plots.js';
import type { Report } from './report-types.js';
import { reportNotes, reportSections, type Section } from './sections.js';
import type { Series } from './series.js';
import { sweepSpec } from './sweep.js';
import { renderVegaLiteSvg } from './vega.js';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; } th { background: #f3f3f3; }
td.right { text-align: right; font-variant-numeric: tabular-nums; }
.plots { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 1.5rem; } figure { margin: 0; }
.notes { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5rem 1rem; }
`;

// Escapes text for HTML content and attribute values.
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

// One line per testbed: its name, mode, shaping and the BS's cell or bandwidth (the table lists its devices).
function testbedLines(report: Report): string {
  const megahertz = (value: number | null) => (value === null ? '–' : `${value / 1e6} MHz`);
  return report.testbeds.map((testbed) => {
    const cell = testbed.cell === null ? null
      : `cell ${megahertz(testbed.cell.downlink_bandwidth_hz)} down / ${megahertz(testbed.cell.uplink_bandwidth_hz)} up${testbed.cell.fading === null ? '' : `, ${testbed.cell.fading} fading`}`;
    const bandwidth = testbed.bs_bandwidth_bits_per_sec === null ? null : `BS ${testbed.bs_bandwidth_bits_per_sec / 1e6} Mbit/s`;
    const details = [testbed.mode, testbed.shaping === null ? null : `${testbed.shaping} shaping`, cell, bandwidth].filter((part) => part !== null);
    return `<p>${escapeHtml(testbed.run)}: testbed <code>${escapeHtml(testbed.name)}</code>, ${escapeHtml(details.join(', '))}</p>`;
  }).join('\n');
}

function tableHtml(section: Section): string {
  const head = section.headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const rows = section.text.map((row) => `<tr>${row.map((cell, i) => `<td class="${section.aligns[i]}">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<h2 id="${section.id}">${escapeHtml(section.title)}</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

// The page for `report`; `series` carries the per-item and per-layer data the plots draw.
export async function renderReportHtml(report: Report, series: readonly Series[]): Promise<string> {
  // Each plot's figure id (what a reader or a test can link to) and spec; a plot without data is left out.
  const hasItems = report.latency.length > 0; // a sweep alone has no per-item series
  const plots = [
    { id: 'plot-sweep', spec: sweepSpec(report) },
    { id: 'plot-latency-cdf', spec: hasItems ? latencyCdfSpec(series) : null },
    { id: 'plot-breakdown', spec: hasItems ? breakdownSpec(report) : null },
    { id: 'plot-tradeoff', spec: tradeoffSpec(report) },
    { id: 'plot-device-load', spec: deviceLoadSpec(report) },
    ...series.map((one, i) => ({ id: `plot-layers-${i + 1}`, spec: layerTimelineSpec(one) })),
  ].flatMap(({ id, spec }) => (spec === null ? [] : [{ id, spec }]));
  const svgs = await Promise.all(plots.map(async ({ id, spec }) => `<figure id="${id}">${await renderVegaLiteSvg(spec)}</figure>`));
  const notes = reportNotes(report);
  const runs = report.runs.map((run) => `<li><code>${escapeHtml(run.label)}</code>: ${escapeHtml([run.task, run.model, run.testbed].filter((part) => part !== null).join(', '))}; ${run.items} results (${escapeHtml(run.dir)})</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>wdmoe report: ${escapeHtml(report.runs.map((run) => run.label).join(', '))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>wdmoe report</h1>
<ul>\n${runs}\n</ul>
${report.baseline === null ? '' : `<p>Baseline for the comparison: <code>${escapeHtml(report.baseline)}</code>.</p>`}
${notes.length === 0 ? '' : `<div class="notes"><strong>Notes</strong><ul>${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></div>`}
<h2>Plots</h2>
<div class="plots">
${svgs.join('\n')}
</div>
${reportSections(report).map((section) => (section.id === 'testbed' ? `${tableHtml(section)}\n${testbedLines(report)}` : tableHtml(section))).join('\n')}
<p><small>${escapeHtml(`${report.format} format ${report.formatVersion}`)}; plots by Vega-Lite, rendered to SVG by vega in Node.</small></p>
</body>
</html>
`;
}
