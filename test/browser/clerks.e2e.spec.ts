import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandaloneOnPGlite, type SystemUnderTest } from '../support/systems.js';
import {
  chromiumMissing,
  ensureWebAppBuilt,
  expectAgreementState,
  expectNoAccessibilityViolations,
  heading,
  launchChromium,
  openPage,
  reloadUntilVisible,
  saveScreenshot,
  signIn,
  tabTo,
  titleWithSkipReason,
} from './support/browser.js';

/** The form of one action on the agreement page, by the action's name. */
const actionForm = (page: Page, action: string): Locator =>
  page.locator('form', { has: page.getByRole('heading', { level: 3, name: action }) });

const openAction = async (page: Page, action: string): Promise<Locator> => {
  await page
    .getByRole('group', { name: 'What you can do now' })
    .getByRole('button', { name: action })
    .click();
  const form = actionForm(page, action);
  await form.waitFor();
  return form;
};

const submitAction = async (form: Locator, action: string): Promise<void> => {
  await form.getByRole('button', { name: action }).click();
};

/** Records a signature through its form on the agreement page. */
const recordSignature = async (
  page: Page,
  signature: {
    readonly name: string;
    readonly title: string;
    readonly place: string;
    readonly signedOn: string;
  },
): Promise<void> => {
  const form = await openAction(page, 'Record a signature');
  await form.getByLabel('Signatory’s name').fill(signature.name);
  await form.getByLabel('Signatory’s title').fill(signature.title);
  await form.getByLabel('Place of signing').fill(signature.place);
  await form.getByLabel('Signed on').fill(signature.signedOn);
  await submitAction(form, 'Record a signature');
};

describe.skipIf(chromiumMissing)(
  titleWithSkipReason('clerks of Coventry and Dresden in the browser'),
  () => {
    let system: SystemUnderTest & { readonly baseUrl: string };
    let browser: Browser;
    let coventry: Page;
    let dresden: Page;
    let agreementUrl: string;

    beforeAll(async () => {
      await ensureWebAppBuilt();
      [system, browser] = await Promise.all([startStandaloneOnPGlite(), launchChromium()]);
      // Each clerk in a browser of their own, in their own language's conventions.
      [coventry, dresden] = await Promise.all([
        openPage(browser),
        openPage(browser, { locale: 'de-DE', timezoneId: 'Europe/Berlin' }),
      ]);
    });

    afterAll(async () => {
      await browser?.close();
      await system?.close();
    });

    it('carries the Coventry story from proposal to active, through a conflict', async () => {
      // Sign-in page, then Coventry's clerk signs in.
      await coventry.goto(`${system.baseUrl}/`);
      await heading(coventry, 'Sign in').waitFor();
      await expectNoAccessibilityViolations(coventry, 'the sign-in page');
      await saveScreenshot(coventry, 'sign-in');
      await signIn(coventry, system.baseUrl, {
        role: 'clerk',
        municipality: 'gb-coventry',
        name: 'Coventry clerk',
      });
      await heading(coventry, 'Agreements').waitFor();

      // The proposal, in the propose form; checked like the API before it is sent.
      await coventry.getByRole('main').getByRole('link', { name: 'Propose a partnership' }).click();
      await heading(coventry, 'Propose a partnership').waitFor();
      await expectNoAccessibilityViolations(coventry, 'the propose form');
      await saveScreenshot(coventry, 'propose');
      const form = coventry.locator('form.propose-form');
      await form.getByLabel('Name').first().fill('Coventry');
      await form.getByLabel('Country code').first().fill('GB');
      await coventry.locator('#propose-partner-cityId').fill('Dresden');
      await form.getByRole('button', { name: 'Propose the partnership' }).click();
      const summary = coventry.getByRole('alert').filter({
        hasText: 'There is a problem with what you entered',
      });
      await summary.waitFor();
      expect(await summary.innerText()).toContain('A city id looks like gb-coventry');
      expect(
        await coventry.locator('#propose-partner-cityId').getAttribute('aria-describedby'),
      ).toContain('propose-partner-cityId-error');

      await coventry.locator('#propose-partner-cityId').fill('de-dresden');
      await coventry.locator('#propose-partner-name').fill('Dresden');
      await coventry.locator('#propose-partner-country').fill('DE');
      await coventry.getByLabel('Title').fill('Coventry and Dresden');
      await coventry
        .getByLabel('Purpose')
        .fill('Reconciliation and friendship between two cities rebuilt after the war');
      await coventry.getByRole('checkbox', { name: 'Culture' }).check();
      await coventry.getByRole('checkbox', { name: 'Youth' }).check();
      await coventry.getByLabel('Kind of partnership').selectOption('sister_city');
      await coventry.locator('#propose-terms-startDate').fill('1959-01-01');
      await coventry.locator('#propose-proposedOn').fill('1956-03-01');
      await form.getByRole('button', { name: 'Propose the partnership' }).click();

      await heading(coventry, 'Coventry and Dresden').waitFor();
      await expectAgreementState(coventry, 'Proposed', 'proposed');
      agreementUrl = coventry.url();
      expect(agreementUrl).toMatch(/#\/agreements\/[0-9a-f-]{36}$/);

      // Dresden's clerk finds it waiting for them, and opens it too.
      await signIn(dresden, system.baseUrl, {
        role: 'clerk',
        municipality: 'de-dresden',
        name: 'Dresden clerk',
      });
      const waiting = dresden
        .getByRole('region', { name: 'Needs action from you' })
        .getByRole('link', { name: 'Coventry and Dresden' });
      await reloadUntilVisible(dresden, waiting);
      await waiting.click();
      await expectAgreementState(dresden, 'Proposed', 'proposed');
      // Dresden's clerk reads dates the German way.
      expect(await dresden.locator('.timeline').innerText()).toContain('1. März 1956');

      // Both have the page open. Dresden accepts first.
      const dresdenAccepts = await openAction(dresden, 'Accept the terms');
      expect(await dresdenAccepts.getByLabel('Terms version').inputValue()).toBe('1');
      await dresdenAccepts.getByLabel('Accepted on').fill('1956-04-10');
      await submitAction(dresdenAccepts, 'Accept the terms');
      await dresden
        .getByText('Recorded “Accept the terms”. The agreement is now Proposed.')
        .waitFor();

      // Coventry's page is one revision behind: its submit is refused, nothing is lost.
      const coventryAccepts = await openAction(coventry, 'Accept the terms');
      await coventryAccepts.getByLabel('Accepted on').fill('1956-04-02');
      await submitAction(coventryAccepts, 'Accept the terms');
      const conflict = coventry.locator('[data-problem="conflict"]');
      await conflict.waitFor();
      expect(await conflict.innerText()).toContain('Someone else changed this agreement first');
      expect(await coventryAccepts.getByLabel('Accepted on').inputValue()).toBe('1956-04-02');
      await expectNoAccessibilityViolations(coventry, 'the agreement page with a conflict');
      await saveScreenshot(coventry, 'conflict');
      await conflict.getByRole('button', { name: 'Reload the agreement' }).click();
      await coventry.getByText('The agreement has been reloaded.').waitFor();
      expect(await coventryAccepts.getByLabel('Accepted on').inputValue()).toBe('1956-04-02');
      await submitAction(coventryAccepts, 'Accept the terms');
      await expectAgreementState(coventry, 'Negotiated', 'negotiated');

      // Both sign.
      await recordSignature(coventry, {
        name: 'Lord Mayor of Coventry',
        title: 'Lord Mayor',
        place: 'Coventry',
        signedOn: '1956-06-15',
      });
      await expectAgreementState(coventry, 'Partially signed', 'partially_signed');

      await dresden.getByRole('button', { name: 'Refresh' }).click();
      await expectAgreementState(dresden, 'Partially signed', 'partially_signed');
      await recordSignature(dresden, {
        name: 'Oberbürgermeister of Dresden',
        title: 'Mayor',
        place: 'Dresden',
        signedOn: '1956-07-02',
      });
      await expectAgreementState(dresden, 'Signed', 'signed');

      // Coventry activates it on its start date.
      await coventry.getByRole('button', { name: 'Refresh' }).click();
      await expectAgreementState(coventry, 'Signed', 'signed');
      const activation = await openAction(coventry, 'Activate');
      expect(await activation.getByLabel('Effective on').inputValue()).toBe('1959-01-01');
      await submitAction(activation, 'Activate');
      await expectAgreementState(coventry, 'Active', 'active');
      expect(
        await coventry
          .getByRole('group', { name: 'What you can do now' })
          .getByRole('button')
          .allInnerTexts(),
      ).toEqual(expect.arrayContaining(['Suspend', 'Terminate']));
      expect(await coventry.locator('.timeline li').count()).toBe(8);
      await expectNoAccessibilityViolations(coventry, 'the agreement page');
      await saveScreenshot(coventry, 'agreement');
    }, 180_000);

    it('shows the city with its partners and its partnership network', async () => {
      await coventry.getByRole('navigation').getByRole('link', { name: 'Cities' }).click();
      await heading(coventry, 'Coventry (GB)').waitFor();
      const partners = coventry.getByRole('region', { name: 'Partners' });
      await reloadUntilVisible(coventry, partners.getByRole('cell', { name: 'Dresden (DE)' }));
      await coventry.locator('svg [data-city="de-dresden"]').waitFor();
      await expectNoAccessibilityViolations(coventry, 'the city page');
      await saveScreenshot(coventry, 'city');
    }, 60_000);

    it('lists the agreements with filters and search', async () => {
      await coventry.goto(`${system.baseUrl}/#/agreements`);
      await heading(coventry, 'Agreements').waitFor();
      await coventry.getByLabel('Search titles and city names').fill('dresd');
      await coventry.getByLabel('State').selectOption('active');
      await coventry.getByRole('button', { name: 'Apply filters' }).click();
      const row = coventry.getByRole('row', { name: /Coventry and Dresden/ });
      await reloadUntilVisible(coventry, row);
      expect(await row.innerText()).toContain('Active');
      expect(coventry.url()).toContain('q=dresd');
      await expectNoAccessibilityViolations(coventry, 'the agreement list');
      await saveScreenshot(coventry, 'agreements');
    }, 60_000);

    it('proposes a partnership with the keyboard alone', async () => {
      await coventry.goto(`${system.baseUrl}/#/agreements`);
      await heading(coventry, 'Agreements').waitFor();
      const keyboard = coventry.keyboard;
      await tabTo(coventry, 'propose-link');
      await keyboard.press('Enter');
      await heading(coventry, 'Propose a partnership').waitFor();
      const type = async (id: string, text: string) => {
        await tabTo(coventry, id);
        await keyboard.press('ControlOrMeta+A');
        await keyboard.type(text);
      };
      await type('propose-proposer-name', 'Coventry');
      await type('propose-proposer-country', 'GB');
      await type('propose-partner-cityId', 'de-kiel');
      await type('propose-partner-name', 'Kiel');
      await type('propose-partner-country', 'DE');
      await tabTo(coventry, 'propose-partner-councilApprovalRequired');
      await keyboard.press('Space');
      await type('propose-terms-title', 'Coventry and Kiel');
      await type('propose-terms-purpose', 'Friendship between two port cities');
      await tabTo(coventry, 'propose-terms-areasOfExchange-education');
      await keyboard.press('Space');
      // A date field takes its day, month and year as typed digits, in the locale's order.
      await tabTo(coventry, 'propose-terms-startDate');
      await keyboard.type('01011948');
      await tabTo(coventry, 'propose-proposedOn');
      await keyboard.type('01011947');
      await keyboard.press('Enter');

      await heading(coventry, 'Coventry and Kiel').waitFor();
      await expectAgreementState(coventry, 'Proposed', 'proposed');
      const parties = await coventry.getByRole('region', { name: 'Parties' }).innerText();
      expect(parties).toContain('Partner: Kiel');
      const terms = await coventry.getByRole('table').innerText();
      expect(terms).toContain('1 January 1948');
      expect(terms).toContain('Education');

      // And an action, with the keyboard too: Coventry withdraws the proposal.
      await tabTo(coventry, 'action-WithdrawProposal');
      await keyboard.press('Enter');
      await tabTo(coventry, 'command-WithdrawProposal-reason');
      await keyboard.type('Kiel prefers to wait');
      await tabTo(coventry, 'command-WithdrawProposal-submit');
      await keyboard.press('Enter');
      await expectAgreementState(coventry, 'Withdrawn', 'withdrawn');
    }, 90_000);
  },
);
