/**
 * @module report-screenshots
 * `npx tsx scripts/report-screenshots.ts OUT_DIR`: runs the suite against a
 * reference server with faults on, writes its HTML report, and takes
 * screenshots of it in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core, no network): the top of the page, and the first failure
 * opened with its transcript and decoded tokens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { defaultOptions } from '../conformance/engine/options.js';
import { startReferenceServer } from '../conformance/reference/server.js';
import { renderHtml } from '../conformance/report/html.js';
import { runConformance } from '../conformance/runner.js';

const out = resolve(process.argv[2] ?? 'build/screenshots');
mkdirSync(out, { recursive: true });
const report = await runConformance(
  { ...defaultOptions(), only: ['tokens', 'policies'], runs: 3, seed: 7 },
  { startReference: () => startReferenceServer({ faults: ['scopes-escalated', 'token-revoke-noop'] }) },
);
const html = join(out, 'report.html');
writeFileSync(html, renderHtml(report));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await page.route(/^(?!file:)/, (route) => route.abort());
  await page.goto(`file://${html}`);
  await page.screenshot({ path: join(out, 'top.png') });
  const failure = page.locator('#failures details.fail').first();
  await failure.locator('summary').first().click();
  await failure.locator('details.transcript > summary').first().click();
  await failure.scrollIntoViewIfNeeded();
  await failure.screenshot({ path: join(out, 'failure.png') });
  const token = failure.locator('.jwt').first();
  if ((await token.count()) > 0) {
    await token.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(out, 'token.png') });
  }
} finally {
  await browser.close();
}
console.log(`screenshots in ${out}`);
