import { Writable } from 'node:stream';
import { recordLateSignatureStory } from '@twinning/audit/testing';
import {
  createInMemoryEventStore,
  type EventStore,
  type RecordedEvent,
} from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import { AuditUsageError, parseAuditArguments, type AuditCommand } from './audit-arguments.js';
import { EXIT, runAuditCommand } from './audit-commands.js';

const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
};

const runWith = async (store: EventStore, command: AuditCommand, signal?: AbortSignal) => {
  const stdout = capture();
  let stderr = '';
  const code = await runAuditCommand(command, {
    store,
    stdout: stdout.stream,
    stderr: { write: (text: string) => (stderr += text) },
    ...(signal === undefined ? {} : { signal }),
  });
  return { code, stdout: stdout.text(), stderr };
};

describe('audit command line arguments', () => {
  it('parses each command into a typed request', () => {
    expect(
      parseAuditArguments([
        'audit',
        'state',
        '0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d',
        '--in-force-on',
        '2024-02-10',
        '--known-at',
        '2024-02-15T00:00:00Z',
      ]),
    ).toEqual({
      kind: 'state',
      agreementId: '0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d',
      point: { kind: 'in_force', on: '2024-02-10', knownAt: new Date('2024-02-15T00:00:00Z') },
    });
    expect(parseAuditArguments(['verify', '--at', '42', '--digest', 'a'.repeat(64)])).toMatchObject(
      {
        kind: 'verify',
        at: 42n,
        digest: 'a'.repeat(64),
      },
    );
    expect(parseAuditArguments(['audit'])).toEqual({ kind: 'help' });
  });

  it('refuses command lines that do not say one thing', () => {
    const refused = [
      [
        'state',
        '0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d',
        '--revision',
        '1',
        '--recorded-at',
        '2024-01-01T00:00:00Z',
      ],
      ['state', 'not-a-uuid'],
      ['verify', '--digest', 'a'.repeat(64)],
      ['verify', '--at', '1', '--digest', 'XYZ'],
      ['verify', '--resume-position', '10'],
      ['export', '--recorded-from', '2024-01-01T00:00:00Z'],
      ['in-force', '2024-02-30'],
      ['frobnicate'],
      ['state', '--no-such-option'],
    ];
    for (const argv of refused) {
      expect(() => parseAuditArguments(argv), argv.join(' ')).toThrow(AuditUsageError);
    }
  });
});

describe('running audit commands', () => {
  it('verifies the store, stops on request, resumes to the same digest and compares it', async () => {
    const store = createInMemoryEventStore();
    await recordLateSignatureStory(store);
    const whole = await runWith(store, parseAuditArguments(['verify']));
    expect(whole.code).toBe(EXIT.ok);
    const { digest } = JSON.parse(whole.stdout) as {
      digest: { position: string; events: number; digest: string };
    };

    const stop = new AbortController();
    let read = 0;
    const stopsAfterFive: EventStore = {
      ...store,
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) =>
        (async function* (): AsyncGenerator<RecordedEvent> {
          for await (const event of store.readAll(...args)) {
            read += 1;
            if (read === 6) stop.abort();
            yield event;
          }
        })(),
    };
    const stopped = await runWith(stopsAfterFive, parseAuditArguments(['verify']), stop.signal);
    expect(stopped.code).toBe(EXIT.interrupted);
    const resumeOptions =
      /verify (--resume-position \S+ --resume-events \S+ --resume-digest \S+)/.exec(
        stopped.stderr,
      )?.[1];
    expect(resumeOptions).toContain('--resume-events 5');
    const resumed = await runWith(
      store,
      parseAuditArguments(['verify', ...resumeOptions!.split(' ')]),
    );
    expect(JSON.parse(resumed.stdout)).toMatchObject({ complete: true, intact: true, digest });

    const matches = await runWith(
      store,
      parseAuditArguments(['verify', '--at', digest.position, '--digest', digest.digest]),
    );
    expect([matches.code, JSON.parse(matches.stdout)]).toEqual([
      EXIT.ok,
      expect.objectContaining({ digestMatches: true }),
    ]);
    const differs = await runWith(
      store,
      parseAuditArguments(['verify', '--at', digest.position, '--digest', 'b'.repeat(64)]),
    );
    expect(differs.code).toBe(EXIT.failedCheck);
  });

  it('answers not found with its exit code and a message', async () => {
    const store = createInMemoryEventStore();
    const missing = await runWith(
      store,
      parseAuditArguments(['state', '11111111-2222-4333-8444-555555555555']),
    );
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.stderr).toContain('no agreement 11111111-2222-4333-8444-555555555555');
  });
});
