import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFor } from '../support/cast.js';
import { dresdenProposal } from '../support/coventry-stories.js';
import { startStandaloneOnPGlite, type SystemUnderTest } from '../support/systems.js';
import {
  chromiumMissing,
  ensureWebAppBuilt,
  expectNoAccessibilityViolations,
  heading,
  launchChromium,
  openPage,
  saveScreenshot,
  signIn,
  titleWithSkipReason,
} from './support/browser.js';

/** A council's records system on loopback, answering every delivery with 204. */
const startReceiver = async () => {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push(request.headers);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return {
    url: `http://127.0.0.1:${address.port}/twinning`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const until = async (condition: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe.skipIf(chromiumMissing)(titleWithSkipReason('an admin in the browser'), () => {
  let system: SystemUnderTest & { readonly baseUrl: string };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureWebAppBuilt();
    // Standalone mode refuses plain http and loopback addresses unless told otherwise
    // (docs/webhooks.md, address rules); the receiver here is both.
    [system, receiver, browser] = await Promise.all([
      startStandaloneOnPGlite({
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_POLL_INTERVAL: '200ms',
      }),
      startReceiver(),
      launchChromium(),
    ]);
    page = await openPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await receiver?.close();
  });

  it('adds an endpoint, sees a delivery and its attempt, and redelivers it', async () => {
    await signIn(page, system.baseUrl, { role: 'admin', name: 'Administrator' });
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await heading(page, 'Webhooks').waitFor();
    await page.getByText('No endpoints yet.').waitFor();

    await page.getByLabel('Address (URL)').fill(receiver.url);
    await page.getByLabel('Description').fill('Coventry council records');
    await page.getByLabel('Only agreements of these cities').fill('gb-coventry');
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    await page.getByText('Endpoint added').waitFor();
    expect(await page.getByTestId('webhook-secret').innerText()).toMatch(/^whsec_/);
    await page.getByRole('cell', { name: receiver.url, exact: true }).waitFor();

    // A clerk proposes a partnership: the dispatcher delivers it to the receiver.
    const tokens = await tokensFor();
    const proposed = await system.client({
      method: 'POST',
      url: '/agreements',
      token: tokens.coventryClerk,
      body: dresdenProposal,
    });
    expect(proposed.status, proposed.text).toBe(201);
    await until(() => receiver.received.length >= 1, 'the first delivery');

    await page.getByRole('link', { name: `Deliveries of ${receiver.url}` }).click();
    const deliveries = page.getByTestId('deliveries');
    const row = deliveries.getByRole('row', { name: /agreement\.proposed/ });
    await row.waitFor();
    await row.getByTestId('delivery-status').getByText('Delivered').waitFor();
    expect(await row.getByTestId('delivery-attempts').innerText()).toBe('1');
    await row.getByRole('button', { name: /^Attempts of delivery/ }).click();
    const attempts = page.getByRole('region', { name: /^Attempts of delivery/ });
    await attempts.getByRole('cell', { name: '204' }).waitFor();
    expect(await attempts.innerText()).toContain('Delivered');
    await expectNoAccessibilityViolations(page, 'the webhooks admin page');
    await saveScreenshot(page, 'webhooks');

    // Redelivered: the same webhook-id arrives again, and a second attempt is listed.
    await row.getByRole('button', { name: /^Redeliver/ }).click();
    await page.getByText(/will be sent again/).waitFor();
    await until(() => receiver.received.length >= 2, 'the redelivery');
    expect(receiver.received[1]?.['webhook-id']).toBe(receiver.received[0]?.['webhook-id']);
    for (let tries = 0; tries < 50; tries += 1) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      if ((await row.getByTestId('delivery-attempts').innerText()) === '2') break;
      await page.waitForTimeout(200);
    }
    expect(await row.getByTestId('delivery-attempts').innerText()).toBe('2');
    expect(await row.getByTestId('delivery-status').innerText()).toBe('Delivered');
  }, 120_000);
});
