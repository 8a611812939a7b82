/**
 * @module test/conformance/html-report
 * The HTML report as a reader sees it, in headless Chromium (Debian's
 * `chromium`, driven by playwright-core): verdict, summary by area and level,
 * extensions, a failure that expands to its clause, expected/observed,
 * counterexample, replay command and transcript; and not one request leaves
 * the page. Fails when Chromium is missing on CI; skips elsewhere.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../conformance/cli/cli.js';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env['CI'] === 'true')
  throw new Error(`${CHROMIUM} is missing: CI installs Debian's chromium package (apt-get install -y chromium)`);
if (!available)
  console.warn(`skipping the HTML report browser test: ${CHROMIUM} is not installed (apt-get install -y chromium)`);

describe.skipIf(!available)('the HTML report in a browser', () => {
  let faulty: ReferenceServer;
  let browser: BrowserContext;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gxc-html-'));
    faulty = await startReferenceServer({ faults: ['pkce-ignored'], onError: () => undefined });
    file = join(dir, 'report.html');
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    try {
      const code = await main(
        [
          '--base-url',
          faulty.url,
          '--only',
          'contract.public,tokens.pkce,tokens.claims,policies',
          '--seed',
          '8',
          '--runs',
          '2',
          '--report',
          'html',
          '--out',
          file,
        ],
        {},
      );
      expect(code).toBe(1);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // A fresh profile directory (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1100, height: 1400 },
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await faulty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is one file that refers to nothing outside itself', () => {
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    // Nothing is loaded; the only links leave for SPEC.md, an RFC, or the `npm run docs` reference.
    expect(html).not.toMatch(/\bsrc=/i);
    for (const [, href] of html.matchAll(/\bhref="([^"]*)"/gi))
      expect(href).toMatch(
        /^(#|https:\/\/github\.com\/mishrasanjeev\/grantex\/blob\/main\/SPEC\.md#|https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+|build\/docs\/index\.html#)/,
      );
  });

  it('shows the verdict, the summaries and a failure that expands, and loads nothing from the network', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => void requested.push(request.url()));
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const url = pathToFileURL(file).href;
    await page.goto(url);

    expect(await page.title()).toMatch(/^Grantex conformance: http:\/\/127\.0\.0\.1:\d+$/);
    expect(await page.locator('.verdict').innerText()).toBe('FAIL: 1 MUST check(s) failed');
    const summary = await page.locator('#summary table').innerText();
    expect(summary).toMatch(/tokens\s+1\s+1\s+0\s+0\s+0/);
    expect(summary).toMatch(/total/);
    expect(await page.locator('#levels table').innerText()).toMatch(/MUST\s+\d+\s+1/);
    expect(await page.locator('#extensions').innerText()).toMatch(/✓ policies/);
    expect(await page.locator('#traffic').innerText()).toMatch(/requests\s*\d+/);
    expect(await page.locator('#traffic').innerText()).toMatch(/rate-limit waits\s*0\.0 s/);

    const failure = page.locator('#failures details.fail').first();
    const heading = failure.locator(':scope > summary');
    expect(await heading.innerText()).toMatch(/✗ tokens\.pkce\s*MUST/);
    const expected = failure.locator('dd').nth(2);
    expect(await expected.isVisible()).toBe(false);
    await heading.click();
    expect(await expected.isVisible()).toBe(true);
    const body = await failure.locator(':scope > .body').innerText();
    expect(body).toMatch(/clause\s*RFC 7636|clause\s*SPEC/);
    expect(body).toMatch(/expected\s*status 400/);
    expect(body).toMatch(/observed\s*status 201/);
    expect(body).toMatch(/counterexample\s*\[/);
    expect(body).toMatch(
      /replay\s*npm run conformance -- --base-url http:\/\/127\.0\.0\.1:\d+ --only tokens\.pkce --seed 8 --replay \d/,
    );
    const transcript = failure.locator('details.transcript');
    await transcript.locator('summary').click();
    expect(await transcript.locator('pre').first().innerText()).toMatch(/curl -sS -i -X POST .*\/v1\/token/);

    await page.screenshot({ path: join(process.env['GXC_SCREENSHOT_DIR'] ?? dir, 'html-report.png'), fullPage: true });
    expect(requested.filter((target) => target !== url)).toEqual([]);
    await page.close();
  }, 60_000);
});
