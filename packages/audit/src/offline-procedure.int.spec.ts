import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { agreementId } from '@twinning/domain/testing';
import { createInMemoryEventStore } from '@twinning/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditor, type Auditor } from './auditor.js';
import { recordLateSignatureStory } from './testing/recorded-story.js';

const run = promisify(execFile);
const docsPath = new URL('../../../docs/audit.md', import.meta.url);

/** The script exactly as docs/audit.md gives it to auditors. */
const documentedScript = async (): Promise<string> => {
  const docs = await readFile(docsPath, 'utf8');
  const match =
    /<!-- offline-check-script -->\s*(?:<!-- prettier-ignore -->\s*)?```js\n([\s\S]*?)```/.exec(
      docs,
    );
  if (match?.[1] === undefined) throw new Error('docs/audit.md has no offline check script');
  return match[1];
};

const text = async (chunks: AsyncIterable<string>): Promise<string> => {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
};

let directory: string;
let auditor: Auditor;
const id = agreementId('aaaaaaaa-1111-4111-8111-111111111111');

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'twinning-audit-'));
  await writeFile(join(directory, 'verify-export.mjs'), await documentedScript());
  const store = createInMemoryEventStore();
  await recordLateSignatureStory(store, id);
  await recordLateSignatureStory(store, agreementId('bbbbbbbb-2222-4222-8222-222222222222'));
  auditor = createAuditor({ store });
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const checkWithScript = async (ndjson: string) => {
  const file = join(directory, `export-${Math.random().toString(36).slice(2)}.ndjson`);
  await writeFile(file, ndjson);
  try {
    const { stdout } = await run(process.execPath, [join(directory, 'verify-export.mjs'), file]);
    return { ok: true, stdout };
  } catch (error) {
    return { ok: false, stdout: (error as { stdout: string }).stdout };
  }
};

describe('the documented offline check', () => {
  it('accepts an agreement export and a time-range export as exported', async () => {
    const ofAgreement = await text(auditor.exportAgreement(id, 'ndjson'));
    const trailer = JSON.parse(ofAgreement.trimEnd().split('\n').at(-1)!) as {
      exportDigest: string;
    };
    const checked = await checkWithScript(ofAgreement);
    expect(checked).toEqual({
      ok: true,
      stdout: `OK: 12 events, export digest ${trailer.exportDigest}\n`,
    });
    const range = await text(
      auditor.exportRecordedBetween(new Date('2024-02-01'), new Date('2024-12-31'), 'ndjson'),
    );
    expect((await checkWithScript(range)).ok).toBe(true);
  });

  it('rejects an altered event, a removed event and a forged trailer', async () => {
    const lines = (await text(auditor.exportAgreement(id, 'ndjson'))).trimEnd().split('\n');
    const altered = lines.map((line, index) =>
      index === 8 ? line.replace('2024-02-03', '2024-02-02') : line,
    );
    const alteredCheck = await checkWithScript(altered.join('\n'));
    expect(alteredCheck.ok).toBe(false);
    expect(alteredCheck.stdout).toContain(`broken at agreement-${id}@8`);
    const removed = lines.filter((_, index) => index !== 0);
    const removedCheck = await checkWithScript(removed.join('\n'));
    expect(removedCheck.ok).toBe(false);
    expect(removedCheck.stdout).toContain(`broken at agreement-${id}@1`);
    const forgedTrailer = [
      ...lines.slice(0, -1),
      lines.at(-1)!.replace('"events":12', '"events":11'),
    ];
    expect((await checkWithScript(forgedTrailer.join('\n'))).ok).toBe(false);
  });
});
