import { createServer } from 'node:net';
import { foldStoredEvents, readAgreementEvents } from '@twinning/agreements';
import { AgreementIdSchema, toAgreementView } from '@twinning/domain';
import { mintDemoClerks, playCoventryStory, runDemo } from '@twinning/standalone/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandaloneOnPGlite } from '../support/systems.js';

/** `pnpm demo` must keep working: its story runs here against a started system. */

const freePortNobodyListensOn = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

describe('the Coventry demo', () => {
  let system: Awaited<ReturnType<typeof startStandaloneOnPGlite>>;
  beforeAll(async () => {
    system = await startStandaloneOnPGlite();
  });
  afterAll(() => system.close());

  it('plays both stories against a running system and leaves them where history did', async () => {
    const printed: string[] = [];
    const outcome = await playCoventryStory({
      baseUrl: system.baseUrl,
      clerks: await mintDemoClerks(undefined),
      print: (line) => printed.push(line),
    });
    expect(outcome.stalingrad.lifecycleState).toBe('suspended');
    expect(outcome.dresden.lifecycleState).toBe('active');

    // The stored streams, folded, agree with what the demo printed.
    const stalingrad = await readAgreementEvents(
      system.store,
      AgreementIdSchema.parse(outcome.stalingrad.agreementId),
    );
    const view = toAgreementView(foldStoredEvents(stalingrad));
    expect(view?.lifecycleState).toBe('suspended');
    expect(view?.signatures.partner?.evidence?.reference).toMatch(/Stalingrad/);
    expect(view?.suspension?.councilResolutionReference).toBe(
      'Coventry City Council resolution 2022/17',
    );
    expect(stalingrad.at(-1)?.revision.toString()).toBe(outcome.stalingrad.revision);
    const dresden = await readAgreementEvents(
      system.store,
      AgreementIdSchema.parse(outcome.dresden.agreementId),
    );
    expect(dresden.filter((e) => e.event.type === 'CouncilApprovalRecorded')).toHaveLength(2);

    const output = printed.join('\n');
    expect(output).toContain(`POST /agreements → 201 Created`);
    expect(output).toContain('state: suspended');
    expect(output).toMatch(/allowed next: .*ReinstateAgreement/);
  });

  it('starts a system of its own when nothing answers at TWINNING_URL', async () => {
    const port = await freePortNobodyListensOn();
    const printed: string[] = [];
    const outcome = await runDemo({ TWINNING_URL: `http://127.0.0.1:${port}` }, (line) =>
      printed.push(line),
    );
    expect(printed[0]).toMatch(/started Twinning in-process/);
    expect([outcome.stalingrad.lifecycleState, outcome.dresden.lifecycleState]).toEqual([
      'suspended',
      'active',
    ]);
    // Starting embedded PGlite on disk takes seconds, more on a busy machine.
  }, 120_000);

  it('uses the system at TWINNING_URL when one answers there', async () => {
    const printed: string[] = [];
    const outcome = await runDemo({ TWINNING_URL: system.baseUrl }, (line) => printed.push(line));
    expect(printed[0]).toBe(`Using the Twinning API at ${system.baseUrl}`);
    const stored = await readAgreementEvents(
      system.store,
      AgreementIdSchema.parse(outcome.dresden.agreementId),
    );
    expect(toAgreementView(foldStoredEvents(stored))?.lifecycleState).toBe('active');
  });
});
