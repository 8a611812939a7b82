/**
 * @module checks/consent-page
 * Drives the consent page in headless Chromium (playwright-core, a fresh
 * profile, `--no-sandbox`): loads it, reads what a principal sees, finds the
 * deny action, and clicks approve, recording where the page sends the
 * browser. Only the server's own origin is loaded; every other request is
 * aborted (the redirect URI's is recorded, never sent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckSkipped } from '../engine/failures.js';

/** What the check reads from the loaded page. */
export interface ConsentPage {
  /** The visible text of the page. */
  text: string;
  /** A visible, enabled button or link whose text says deny, cancel, decline or reject. */
  denyVisible: boolean;
  /** Clicks approve; resolves to the URL the page navigated to off the server's origin, if any. */
  approve(): Promise<string | undefined>;
  close(): Promise<void>;
}

const DENY = /\b(deny|cancel|decline|reject|refuse)\b/i;
const APPROVE = /\b(approve|allow|accept|authori[sz]e|grant)\b/i;

/** Opens `url` in a fresh headless Chromium. @throws {CheckSkipped} when playwright-core is not installed */
export async function openConsentPage(
  executablePath: string,
  url: string,
  origin: string,
  timeoutMs: number,
): Promise<ConsentPage> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new CheckSkipped('playwright-core is not installed: the consent UI is not judged');
  }
  const profile = mkdtempSync(join(tmpdir(), 'gxc-consent-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    timeout: timeoutMs,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const offOrigin: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (new URL(target).origin === origin) return route.continue();
    offOrigin.push(target);
    return route.abort();
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    await page.goto(url, { waitUntil: 'networkidle' });
    const actions = page.locator('button, a, input[type=submit], input[type=button]');
    // The page may render from script: wait until some action shows.
    await actions
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs })
      .catch(() => undefined);
    // biome-ignore lint/performance/useDomNodeTextContent: what a principal sees is the rendered text, hidden parts excluded
    const text = await page.innerText('body');
    const labels = await actions.evaluateAll((nodes) =>
      nodes.map((node) => {
        const box = node.getBoundingClientRect();
        const label = (node as HTMLElement).textContent || (node as HTMLInputElement).value || '';
        const disabled = (node as HTMLButtonElement).disabled === true;
        return { label, visible: box.width > 0 && box.height > 0 && !disabled };
      }),
    );
    const denyVisible = labels.some((entry) => entry.visible && DENY.test(entry.label));
    return {
      text,
      denyVisible,
      async approve() {
        const index = labels.findIndex((entry) => entry.visible && APPROVE.test(entry.label));
        if (index < 0) return undefined;
        const before = offOrigin.length;
        await actions.nth(index).click();
        const deadline = Date.now() + timeoutMs;
        while (offOrigin.length === before && Date.now() < deadline) await page.waitForTimeout(100);
        return offOrigin[before];
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
