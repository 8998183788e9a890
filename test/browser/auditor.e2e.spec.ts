import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFor, type PersonName } from '../support/cast.js';
import { dresdenProposal } from '../support/coventry-stories.js';
import { member } from '../support/http-client.js';
import { startStandaloneOnPGlite, type SystemUnderTest } from '../support/systems.js';
import {
  artifactsDirectory,
  chromiumMissing,
  ensureWebAppBuilt,
  expectNoAccessibilityViolations,
  heading,
  launchChromium,
  openPage,
  reloadUntilVisible,
  saveScreenshot,
  signIn,
  titleWithSkipReason,
} from './support/browser.js';

describe.skipIf(chromiumMissing)(titleWithSkipReason('an auditor in the browser'), () => {
  let system: SystemUnderTest & { readonly baseUrl: string };
  let tokens: Record<PersonName, string>;
  let browser: Browser;
  let page: Page;
  let agreementId: string;

  beforeAll(async () => {
    await ensureWebAppBuilt();
    [system, tokens, browser] = await Promise.all([
      startStandaloneOnPGlite(),
      tokensFor(),
      launchChromium(),
    ]);
    // Coventry and Dresden, 1956, through the API: the record the auditor will go through.
    const act = async (who: PersonName, path: string, body: unknown, status = 200) => {
      const response = await system.client({ method: 'POST', url: path, token: tokens[who], body });
      expect(response.status, response.text).toBe(status);
      return response;
    };
    const proposed = await act('coventryClerk', '/agreements', dresdenProposal, 201);
    agreementId = String(member(proposed.json, 'agreement', 'agreementId'));
    const base = `/agreements/${agreementId}`;
    await act('coventryClerk', `${base}/acceptances`, {
      termsVersion: 1,
      acceptedOn: '1956-04-02',
    });
    await act('dresdenClerk', `${base}/acceptances`, { termsVersion: 1, acceptedOn: '1956-04-10' });
    for (const [who, approvedOn] of [
      ['coventryClerk', '1956-04-20'],
      ['dresdenClerk', '1956-04-25'],
    ] as const) {
      await act(who, `${base}/council-approvals`, {
        termsVersion: 1,
        resolutionReference: `Council resolution ${approvedOn}`,
        approvedOn,
      });
    }
    for (const [who, place, signedOn] of [
      ['coventryClerk', 'Coventry', '1956-05-01'],
      ['dresdenClerk', 'Dresden', '1956-06-15'],
    ] as const) {
      await act(who, `${base}/signatures`, {
        termsVersion: 1,
        signatory: { name: `Mayor of ${place}`, title: 'Mayor' },
        place,
        signedOn,
      });
    }
    await act('dresdenClerk', `${base}/activation`, { effectiveOn: '1959-01-01' });

    page = await openPage(browser, { acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('moves back through the record, sees it verified, and exports it', async () => {
    await signIn(page, system.baseUrl, { role: 'auditor', name: 'Auditor' });
    const link = page.getByRole('link', { name: 'Coventry and Dresden' });
    await reloadUntilVisible(page, link);
    await link.click();
    await heading(page, 'Coventry and Dresden').waitFor();
    // An auditor reads, and is offered no action.
    expect(await page.getByRole('heading', { name: 'What you can do now' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Audit view: replay, verify, export' }).click();
    await heading(page, 'Audit: Coventry and Dresden').waitFor();

    const state = page.getByTestId('audit-state');
    await state.getByText('Active').waitFor();

    // The verification badge, with the digest the API gives for the whole log.
    const badge = page.getByTestId('verification-badge');
    await badge.getByText('Verified: hash chain intact').waitFor();
    const verification = await system.client({
      method: 'GET',
      url: '/audit/verification',
      token: tokens.auditor,
    });
    const digest = String(member(verification.json, 'digest', 'digest'));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByTestId('log-digest').innerText()).toBe(digest);
    await expectNoAccessibilityViolations(page, 'the audit view');
    await saveScreenshot(page, 'audit');

    // Back in time, with the keyboard on the revision control: to the proposal, then on.
    const revision = page.getByRole('slider', { name: 'Revision' });
    await revision.focus();
    await page.keyboard.press('Home');
    await state.getByText('Proposed').waitFor();
    expect(await page.locator('.time-travel__value').innerText()).toBe('Revision 0 of 9: Proposed');
    await page.locator('svg .state-chart__node--current[data-state="proposed"]').waitFor();
    expect(await page.locator('.timeline__event--after').count()).toBe(9);
    for (let step = 0; step < 6; step += 1) await page.keyboard.press('ArrowRight');
    await page
      .locator('.time-travel__value', { hasText: 'Revision 6 of 9: Signature recorded' })
      .waitFor();
    await state.getByText('Partially signed').waitFor();
    await page.getByRole('button', { name: 'Previous revision' }).click();
    await state.getByText('Negotiated').waitFor();

    // As in force on a business date: signed by Coventry only by 20 May 1956.
    await page.getByRole('radio', { name: 'As in force on a business date' }).check();
    await page.getByRole('textbox', { name: 'Business date' }).fill('1956-05-20');
    await page.getByRole('button', { name: 'Show' }).click();
    await state.getByText('Partially signed').waitFor();
    await page.getByText('In force at this point: No').waitFor();
    await page.getByRole('textbox', { name: 'Business date' }).fill('1959-06-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await state.getByText('Active').waitFor();
    await page.getByText('In force at this point: Yes').waitFor();

    // As recorded at a system time: before the agreement was recorded, and after it all was.
    await page.getByRole('radio', { name: 'As recorded at a system time' }).check();
    const recordedAt = page.getByRole('textbox', { name: 'Recorded at (your local time)' });
    await recordedAt.fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('The agreement did not exist yet at this point.').waitFor();
    expect(await page.locator('.timeline__event--after').count()).toBe(10);
    await recordedAt.fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Show' }).click();
    await state.getByText('Active').waitFor();
    await page.getByText('Events applied: 10, up to revision 9', { exact: false }).waitFor();

    // The record as an export file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download NDJSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`agreement-${agreementId}.ndjson`);
    const saved = join(artifactsDirectory, download.suggestedFilename());
    await download.saveAs(saved);
    const lines = (await readFile(saved, 'utf8')).trim().split('\n');
    const trailer = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(trailer['record']).toBe('trailer');
    expect(trailer['events']).toBe(10);
    await page.getByText(`Downloaded agreement-${agreementId}.ndjson.`).waitFor();
  }, 120_000);
});
