import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mintDevToken } from '@twinning/api';
import { createLogger } from '@twinning/http-kit';
import { loadStandaloneConfig } from './standalone-config.js';
import { startStandaloneSystem } from './standalone-system.js';

/**
 * `pnpm demo`: Coventry's first two twinnings played through the HTTP API, as the clerks of the
 * cities would. Stalingrad (1944) is agreed, signed, activated and, in 2022, suspended by
 * Coventry's council; Volgograd has no clerks in the system, so Coventry's clerk records
 * Stalingrad's acts with evidence. Dresden (1956) has a clerk of its own, and both councils
 * approve before the mayors sign.
 */

export interface DemoClerks {
  /** Bearer tokens of the clerks who act in the story. */
  readonly coventry: string;
  readonly dresden: string;
}

export interface DemoOutcome {
  readonly agreementId: string;
  readonly lifecycleState: string;
  readonly revision: string;
}

export interface CoventryStoryOutcome {
  readonly stalingrad: DemoOutcome;
  readonly dresden: DemoOutcome;
}

export class DemoStepFailedError extends Error {
  override readonly name = 'DemoStepFailedError';
}

interface AgreementAnswer {
  readonly agreement: { readonly agreementId: string; readonly lifecycleState: string };
  readonly revision: string;
  readonly allowedCommands: readonly string[];
}

const isAgreementAnswer = (value: unknown): value is AgreementAnswer =>
  typeof value === 'object' &&
  value !== null &&
  'agreement' in value &&
  'revision' in value &&
  'allowedCommands' in value;

const coventry = {
  cityId: 'gb-coventry',
  name: 'Coventry',
  country: 'GB',
  councilApprovalRequired: true,
};
const stalingrad = {
  cityId: 'ru-volgograd',
  name: 'Stalingrad',
  country: 'RU',
  councilApprovalRequired: false,
};
const dresden = {
  cityId: 'de-dresden',
  name: 'Dresden',
  country: 'DE',
  councilApprovalRequired: true,
};

const lettersFromStalingrad = (what: string) => ({
  evidence: { reference: `Letter from the Stalingrad city soviet: ${what}` },
});

/** Plays both stories against the API at `baseUrl`, printing each step; throws on a refusal. */
export const playCoventryStory = async (options: {
  readonly baseUrl: string;
  readonly clerks: DemoClerks;
  readonly print: (line: string) => void;
}): Promise<CoventryStoryOutcome> => {
  const { baseUrl, clerks, print } = options;

  const step = async (
    who: keyof DemoClerks,
    what: string,
    path: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<AgreementAnswer> => {
    print('');
    print(`▸ ${who === 'coventry' ? "Coventry's clerk" : "Dresden's clerk"} ${what}`);
    const response = await fetch(new URL(path, baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${clerks[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer: unknown = await response.json();
    print(`  POST ${path} → ${response.status} ${response.statusText}`);
    if (!response.ok || !isAgreementAnswer(answer)) {
      throw new DemoStepFailedError(
        `${what}: the API answered ${response.status}: ${JSON.stringify(answer)}`,
      );
    }
    print(`  state: ${answer.agreement.lifecycleState} (revision ${answer.revision})`);
    print(`  allowed next: ${answer.allowedCommands.join(', ') || 'nothing'}`);
    return answer;
  };
  const outcomeOf = (answer: AgreementAnswer): DemoOutcome => ({
    agreementId: answer.agreement.agreementId,
    lifecycleState: answer.agreement.lifecycleState,
    revision: answer.revision,
  });

  print('Coventry and Stalingrad, 1944: the first twinning');
  const proposed = await step('coventry', 'proposes a partnership to Stalingrad', '/agreements', {
    proposer: coventry,
    partner: stalingrad,
    terms: {
      title: 'Coventry and Stalingrad',
      purpose: 'Solidarity between two cities devastated by the war',
      areasOfExchange: ['culture', 'humanitarian'],
      kind: 'sister_city',
      startDate: '1944-07-01',
    },
    proposedOn: '1944-01-20',
  });
  const toStalingrad = `/agreements/${proposed.agreement.agreementId}`;
  await step('coventry', 'accepts the terms for Coventry', `${toStalingrad}/acceptances`, {
    termsVersion: 1,
    acceptedOn: '1944-02-01',
  });
  await step(
    'coventry',
    "records Stalingrad's acceptance (Volgograd has no clerks here), with the letter as evidence",
    `${toStalingrad}/acceptances`,
    {
      termsVersion: 1,
      party: 'partner',
      acceptedOn: '1944-02-20',
      ...lettersFromStalingrad('acceptance'),
    },
  );
  await step(
    'coventry',
    "records Coventry council's approval",
    `${toStalingrad}/council-approvals`,
    {
      termsVersion: 1,
      resolutionReference: 'Coventry City Council minute 1944/31',
      approvedOn: '1944-03-07',
    },
  );
  await step('coventry', "records the Lord Mayor's signature", `${toStalingrad}/signatures`, {
    termsVersion: 1,
    signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
    place: 'Coventry',
    signedOn: '1944-04-15',
  });
  await step(
    'coventry',
    "records the signature of Stalingrad's city soviet, with the signed charter as evidence",
    `${toStalingrad}/signatures`,
    {
      termsVersion: 1,
      party: 'partner',
      signatory: { name: 'Chairman of the city soviet', title: 'Chairman' },
      place: 'Stalingrad',
      signedOn: '1944-05-01',
      ...lettersFromStalingrad('the signed charter'),
    },
  );
  await step(
    'coventry',
    'activates the partnership on its effective date',
    `${toStalingrad}/activation`,
    {
      effectiveOn: '1944-07-01',
    },
  );
  const suspended = await step(
    'coventry',
    'records the suspension voted by Coventry council in 2022',
    `${toStalingrad}/suspension`,
    {
      reason:
        'Suspended after the invasion of Ukraine; not a permanent end to the bond between our peoples',
      councilResolutionReference: 'Coventry City Council resolution 2022/17',
      suspendedOn: '2022-04-12',
    },
  );

  print('');
  print('Coventry and Dresden, 1956: reconciliation');
  const dresdenProposal = await step(
    'coventry',
    'proposes a partnership to Dresden',
    '/agreements',
    {
      proposer: coventry,
      partner: dresden,
      terms: {
        title: 'Coventry and Dresden',
        purpose: 'Reconciliation and friendship between two cities rebuilt after the war',
        areasOfExchange: ['culture', 'youth', 'heritage'],
        kind: 'sister_city',
        startDate: '1959-01-01',
      },
      proposedOn: '1956-03-01',
    },
  );
  const toDresden = `/agreements/${dresdenProposal.agreement.agreementId}`;
  await step('dresden', 'accepts the terms for Dresden', `${toDresden}/acceptances`, {
    termsVersion: 1,
    acceptedOn: '1956-04-02',
  });
  await step('coventry', 'accepts the terms for Coventry', `${toDresden}/acceptances`, {
    termsVersion: 1,
    acceptedOn: '1956-04-10',
  });
  await step('coventry', "records Coventry council's approval", `${toDresden}/council-approvals`, {
    termsVersion: 1,
    resolutionReference: 'Coventry City Council minute 1956/412',
    approvedOn: '1956-04-20',
  });
  await step('dresden', "records Dresden council's approval", `${toDresden}/council-approvals`, {
    termsVersion: 1,
    resolutionReference: 'Beschluss der Stadtverordnetenversammlung 1956/88',
    approvedOn: '1956-04-25',
  });
  await step('coventry', "records the Lord Mayor's signature", `${toDresden}/signatures`, {
    termsVersion: 1,
    signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
    place: 'Coventry',
    signedOn: '1956-05-01',
  });
  await step('dresden', "records the Oberbürgermeister's signature", `${toDresden}/signatures`, {
    termsVersion: 1,
    signatory: { name: 'Oberbürgermeister of Dresden', title: 'Oberbürgermeister' },
    place: 'Dresden',
    signedOn: '1956-06-15',
  });
  const active = await step('dresden', 'activates the partnership', `${toDresden}/activation`, {
    effectiveOn: '1959-01-01',
  });

  return { stalingrad: outcomeOf(suspended), dresden: outcomeOf(active) };
};

/** Development tokens for the two clerks, signed as `AUTH_MODE=dev` verifies them. */
export const mintDemoClerks = async (secret: string | undefined): Promise<DemoClerks> => {
  const signing = secret === undefined || secret === '' ? {} : { secret };
  const [coventryToken, dresdenToken] = await Promise.all([
    mintDevToken({
      ...signing,
      subject: 'demo-clerk@gb-coventry',
      name: 'Clerk of Coventry',
      roles: ['clerk'],
      municipality: 'gb-coventry',
    }),
    mintDevToken({
      ...signing,
      subject: 'demo-clerk@de-dresden',
      name: 'Clerk of Dresden',
      roles: ['clerk'],
      municipality: 'de-dresden',
    }),
  ]);
  return { coventry: coventryToken, dresden: dresdenToken };
};

const answers = async (baseUrl: string): Promise<boolean> => {
  try {
    const response = await fetch(new URL('/health/live', baseUrl), {
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
};

/**
 * Plays the story against `TWINNING_URL` (default http://127.0.0.1:3000) when something answers
 * there; otherwise starts the standalone system in-process on a temporary PGlite, plays the story
 * on a free port and removes everything again.
 */
export const runDemo = async (
  env: Readonly<Record<string, string | undefined>>,
  print: (line: string) => void,
): Promise<CoventryStoryOutcome> => {
  const clerks = await mintDemoClerks(env['AUTH_DEV_SECRET']);
  const url = env['TWINNING_URL'] ?? 'http://127.0.0.1:3000';
  if (await answers(url)) {
    print(`Using the Twinning API at ${url}`);
    return playCoventryStory({ baseUrl: url, clerks, print });
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'twinning-demo-'));
  try {
    // Only the auth settings carry over: the demo's own system never touches real data.
    const config = loadStandaloneConfig({
      AUTH_MODE: 'dev',
      ...(env['AUTH_DEV_SECRET'] === undefined ? {} : { AUTH_DEV_SECRET: env['AUTH_DEV_SECRET'] }),
      DATA_DIR: dataDir,
    });
    const system = await startStandaloneSystem(
      config,
      createLogger({ name: 'twinning', level: 'warn' }),
    );
    try {
      await system.app.listen({ port: 0, host: '127.0.0.1' });
      const address = system.app.server.address();
      if (typeof address !== 'object' || address === null) throw new Error('not listening on TCP');
      const baseUrl = `http://127.0.0.1:${address.port}`;
      print(
        `Nothing answers at ${url}: started Twinning in-process at ${baseUrl} (temporary PGlite)`,
      );
      return await playCoventryStory({ baseUrl, clerks, print });
    } finally {
      await system.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
};

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  runDemo(process.env, print).then(
    (outcome) => {
      print('');
      print(
        `Coventry–Stalingrad is ${outcome.stalingrad.lifecycleState}; Coventry–Dresden is ${outcome.dresden.lifecycleState}.`,
      );
    },
    (error: unknown) => {
      process.stderr.write(
        `The demo stopped: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
