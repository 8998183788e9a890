import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import {
  chromium,
  type Browser,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium; the browser tests are skipped, saying so, where it is not installed. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM_PATH);
export const titleWithSkipReason = (title: string): string =>
  chromiumMissing ? `${title} (skipped: no ${CHROMIUM_PATH})` : title;

const webDirectory = fileURLToPath(new URL('../../../services/web/', import.meta.url));
export const artifactsDirectory = fileURLToPath(new URL('../artifacts/', import.meta.url));

/**
 * Builds the web workspace once when its `dist` is missing, with the package's own Vite config.
 * Test files run in parallel, so each builds aside and the first to finish moves its build in.
 */
export const ensureWebAppBuilt = async (): Promise<void> => {
  const dist = join(webDirectory, 'dist');
  if (existsSync(join(dist, 'index.html'))) return;
  const { build } = await import('vite');
  const outDir = join(webDirectory, `dist-build-${process.pid}`);
  // The test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  await build({
    mode: 'production',
    root: webDirectory,
    configFile: join(webDirectory, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  }).finally(() => {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  });
  try {
    await rename(outDir, dist);
  } catch (error) {
    if (!existsSync(join(dist, 'index.html'))) throw error;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

/** Headless Chromium with this machine's closed network in mind (no background connections). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/**
 * A page in a browser context of its own, as a person in Coventry would have it (British English,
 * London time) unless `options` say otherwise; it waits up to 15 s for what it is asked to find.
 */
export const openPage = async (
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<Page> => {
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    ...options,
  });
  context.setDefaultTimeout(15_000);
  return context.newPage();
};

export interface Who {
  readonly role: 'clerk' | 'auditor' | 'admin';
  readonly municipality?: string;
  readonly name: string;
}

/** Signs in through the development sign-in form, as a person would. */
export const signIn = async (page: Page, baseUrl: string, who: Who): Promise<void> => {
  await page.goto(`${baseUrl}/#/agreements`);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Role').selectOption(who.role);
  if (who.municipality !== undefined) {
    await page.getByLabel('Municipality (city id)').fill(who.municipality);
  }
  await page.getByLabel('Display name').fill(who.name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').getByText(`Signed in as ${who.name}`).waitFor();
};

export const heading = (page: Page, name: string | RegExp): Locator =>
  page.getByRole('heading', { level: 1, name });

/** WCAG 2.1 A and AA, as axe-core checks them on the page as it stands. */
export const expectNoAccessibilityViolations = async (page: Page, what: string): Promise<void> => {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const violations = results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n` +
      violation.nodes
        .map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`)
        .join('\n'),
  );
  expect(violations, `accessibility violations on ${what}`).toEqual([]);
};

/** A full-page screenshot kept as a test artefact under test/browser/artifacts/. */
export const saveScreenshot = async (page: Page, name: string): Promise<void> => {
  await mkdir(artifactsDirectory, { recursive: true });
  await page.screenshot({ path: join(artifactsDirectory, `${name}.png`), fullPage: true });
};

/** The lifecycle state the agreement page shows, in words. */
export const shownState = (page: Page): Promise<string> =>
  page.getByTestId('agreement-state').locator('.badge').innerText();

/** The state highlighted in the drawn lifecycle chart. */
export const highlightedState = async (page: Page): Promise<string | null> =>
  page.locator('svg .state-chart__node--current').first().getAttribute('data-state');

/** Waits for the agreement page to show a state, in words and in the chart. */
export const expectAgreementState = async (
  page: Page,
  words: string,
  chartState: string,
): Promise<void> => {
  await page.getByTestId('agreement-state').locator('.badge', { hasText: words }).waitFor();
  expect(await shownState(page)).toBe(words);
  await page.locator(`svg .state-chart__node--current[data-state="${chartState}"]`).waitFor();
  expect(await highlightedState(page)).toBe(chartState);
};

/**
 * Read models follow the event log by a few milliseconds: reloads the page until `locator`
 * shows up, as a person would press reload.
 */
export const reloadUntilVisible = async (page: Page, locator: Locator, tries = 20) => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await locator.first().waitFor({ timeout: 1_000 });
      return;
    } catch (error) {
      if (attempt >= tries) throw error;
      await page.reload();
    }
  }
};

/** Presses Tab until the element with this id has the focus: only the keyboard is used. */
export const tabTo = async (page: Page, id: string, maxPresses = 80): Promise<void> => {
  for (let press = 0; press < maxPresses; press += 1) {
    const focused: unknown = await page.evaluate(
      'document.activeElement === null ? "" : document.activeElement.id',
    );
    if (focused === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
};
