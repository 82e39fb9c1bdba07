// The HTML report opened in headless Chromium (Debian's `chromium`, installed here when missing; a test
// that cannot get it FAILS, it never skips): every plot is an SVG with its marks, the console stays free
// of errors and the page makes no request beyond its own file. Takes a full-page screenshot (PNG); set
// $WDMOE_REPORT_SCREENSHOT to a path to keep it for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { run } from '../report/helpers.js';
import { runWdmoe, tempDir } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

// Installs Debian's chromium (CI runs as root with Debian's mirrors reachable); throws saying why when it cannot.
async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const attempts: string[] = [];
  for (const args of [['install', '-y', 'chromium'], ['update'], ['install', '-y', 'chromium']]) {
    const result = await execa('apt-get', args, { env, reject: false, timeout: 480_000, all: true });
    if (args[0] === 'install' && result.exitCode === 0 && existsSync(CHROMIUM)) return;
    attempts.push(`apt-get ${args.join(' ')}: exit ${result.exitCode ?? result.signal ?? '?'}\n${String(result.all ?? result.message).split('\n').slice(-5).join('\n')}`);
  }
  throw new Error(`the HTML report test needs headless Chromium at ${CHROMIUM} and could not install it (run as root: apt-get install -y chromium):\n${attempts.join('\n')}`);
}

test('the HTML report renders its plots in headless Chromium with no console error and no network request', { timeout: 600_000 }, async () => {
  await ensureChromium();
  const temp = tempDir();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const file = path.join(temp.dir, 'report.html');
    const result = await runWdmoe(['report', run('two-policies'), run('slow-uplink'), '--format', 'html', '--out', file]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html.replace(/xmlns(:\w+)?="[^"]*"/g, ''), /(src|href)\s*=\s*["'](https?:)?\/\//i, 'no external resource in the page');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });

    const marks = (figure: string, selector: string) => page.locator(`#${figure} svg g.${selector} > path`).count();
    assert.equal(await page.locator('figure svg').count(), 7, 'CDF, breakdown, trade-off, device load and one per-layer plot per series (3)');
    assert.equal(await marks('plot-latency-cdf', 'mark-line.role-mark'), 3, 'one CDF line per series');
    assert.equal(await marks('plot-breakdown', 'mark-rect.role-mark'), 15, '5 parts × 3 series');
    assert.equal(await marks('plot-tradeoff', 'mark-symbol.role-mark'), 3, 'one point per series');
    assert.ok(await page.locator('#plot-tradeoff svg g.mark-rule.role-mark > line, #plot-tradeoff svg g.mark-rule.role-mark > path').count() >= 3, 'interval bars');
    assert.equal(await marks('plot-device-load', 'mark-rect.role-mark'), 3 * 12, 'three panels × (4 devices × 3 series)');
    for (const figure of ['plot-layers-1', 'plot-layers-2', 'plot-layers-3']) {
      assert.ok(await marks(figure, 'mark-line.role-mark') >= 2, `${figure}: the latency line and the link rates`);
    }
    assert.equal(await page.locator('table').count(), 8, 'accuracy, latency, breakdown, experts, devices, comparison, policies and testbed tables');
    const screenshot = process.env['WDMOE_REPORT_SCREENSHOT'] ?? path.join(temp.dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(readFileSync(screenshot).subarray(1, 4).toString() === 'PNG', 'a PNG screenshot');
    assert.deepEqual(consoleErrors, [], 'no console errors');
    assert.deepEqual(requests, [url], 'the page loads nothing but itself');
  } finally {
    await browser.close();
    temp.dispose();
  }
});
