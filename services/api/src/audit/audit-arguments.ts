import { parseArgs } from 'node:util';
import {
  EXPORT_FORMATS,
  isHexDigest,
  type ExportFormat,
  type LogDigest,
  type ReplayPoint,
} from '@twinning/audit';
import { AgreementIdSchema, IsoDateSchema, type AgreementId, type IsoDate } from '@twinning/domain';
import { z } from 'zod';

export const AUDIT_USAGE = `Usage: pnpm twinning audit <command> [options]

  state <agreement-id> [--revision N | --recorded-at ISO | --in-force-on DATE [--known-at ISO]]
      The agreement as of a revision, a recorded (system) time, or a business date.
  change <agreement-id> <revision>
      One event with the agreement before and after it, its actor, reason, correlation, causation.
  in-force <DATE> [--known-at ISO]
      Every partnership in force on DATE, as known now or at an earlier time.
  verify [--agreement ID] [--at POSITION] [--digest HEX]
         [--resume-position P --resume-events N --resume-digest HEX]
      Verifies the hash chains (one agreement, or the whole store) and prints the log digest.
      Ctrl-C stops a whole-store run and prints the options that resume it.
  export (--agreement ID | --recorded-from ISO --recorded-to ISO) [--format ndjson|csv]
      Streams the record to stdout with a digest trailer.
  check-export <file.ndjson>
      Checks an NDJSON export offline: hashes, links, trailer.

Reads EVENT_STORE_URL, DATABASE_URL and DATA_DIR like the services do.`;

export type AuditCommand =
  | { readonly kind: 'state'; readonly agreementId: AgreementId; readonly point: ReplayPoint }
  | { readonly kind: 'change'; readonly agreementId: AgreementId; readonly revision: bigint }
  | { readonly kind: 'in-force'; readonly on: IsoDate; readonly knownAt: Date | undefined }
  | {
      readonly kind: 'verify';
      readonly agreementId: AgreementId | undefined;
      readonly at: bigint | undefined;
      readonly digest: string | undefined;
      readonly resumeFrom: LogDigest | undefined;
    }
  | {
      readonly kind: 'export';
      readonly format: ExportFormat;
      readonly scope:
        | { readonly kind: 'agreement'; readonly agreementId: AgreementId }
        | { readonly kind: 'recorded_between'; readonly from: Date; readonly to: Date };
    }
  | { readonly kind: 'check-export'; readonly file: string }
  | { readonly kind: 'help' };

/** A command line that does not say what to do; the message says what is wrong. */
export class AuditUsageError extends Error {
  override readonly name = 'AuditUsageError';
}

const decimal = z.string().regex(/^\d+$/, 'a non-negative whole number').transform(BigInt);
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const digest = z.string().refine(isHexDigest, '64 lower-case hex digits');

const parseWith = <T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AuditUsageError(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

const optional = <T extends z.ZodType>(
  schema: T,
  value: string | undefined,
  what: string,
): z.output<T> | undefined => (value === undefined ? undefined : parseWith(schema, value, what));

/** Parses the arguments after `audit` (or with it first) into one command. */
export const parseAuditArguments = (argv: readonly string[]): AuditCommand => {
  const args = argv[0] === 'audit' ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        revision: { type: 'string' },
        'recorded-at': { type: 'string' },
        'in-force-on': { type: 'string' },
        'known-at': { type: 'string' },
        agreement: { type: 'string' },
        at: { type: 'string' },
        digest: { type: 'string' },
        'resume-position': { type: 'string' },
        'resume-events': { type: 'string' },
        'resume-digest': { type: 'string' },
        'recorded-from': { type: 'string' },
        'recorded-to': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new AuditUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') return { kind: 'help' };
  const agreementArgument = (value: string | undefined) =>
    parseWith(AgreementIdSchema, value, 'agreement id');
  const knownAt = optional(instant, values['known-at'], '--known-at');
  switch (command) {
    case 'state': {
      const chosen = [values.revision, values['recorded-at'], values['in-force-on']].filter(
        (each) => each !== undefined,
      );
      if (chosen.length > 1) {
        throw new AuditUsageError('give one of --revision, --recorded-at, --in-force-on');
      }
      if (knownAt !== undefined && values['in-force-on'] === undefined) {
        throw new AuditUsageError('--known-at goes with --in-force-on');
      }
      const revision = optional(decimal, values.revision, '--revision');
      const recordedAt = optional(instant, values['recorded-at'], '--recorded-at');
      const on = optional(IsoDateSchema, values['in-force-on'], '--in-force-on');
      const point: ReplayPoint =
        revision !== undefined
          ? { kind: 'revision', revision }
          : recordedAt !== undefined
            ? { kind: 'recorded', at: recordedAt }
            : on !== undefined
              ? { kind: 'in_force', on, ...(knownAt === undefined ? {} : { knownAt }) }
              : { kind: 'latest' };
      return { kind: 'state', agreementId: agreementArgument(rest[0]), point };
    }
    case 'change':
      return {
        kind: 'change',
        agreementId: agreementArgument(rest[0]),
        revision: parseWith(decimal, rest[1], 'revision'),
      };
    case 'in-force':
      return { kind: 'in-force', on: parseWith(IsoDateSchema, rest[0], 'date'), knownAt };
    case 'verify': {
      const resume = [values['resume-position'], values['resume-events'], values['resume-digest']];
      const resuming = resume.some((each) => each !== undefined);
      if (resuming && resume.some((each) => each === undefined)) {
        throw new AuditUsageError(
          'resume with all of --resume-position, --resume-events, --resume-digest',
        );
      }
      const at = optional(decimal, values.at, '--at');
      const written = optional(digest, values.digest, '--digest');
      if (written !== undefined && at === undefined) {
        throw new AuditUsageError('--digest is checked at a position: give --at too');
      }
      if (values.agreement !== undefined && (at !== undefined || resuming)) {
        throw new AuditUsageError('--at and --resume-* apply to the whole store, not --agreement');
      }
      return {
        kind: 'verify',
        agreementId:
          values.agreement === undefined ? undefined : agreementArgument(values.agreement),
        at,
        digest: written,
        resumeFrom: resuming
          ? {
              position: parseWith(decimal, values['resume-position'], '--resume-position'),
              events: Number(parseWith(decimal, values['resume-events'], '--resume-events')),
              digest: parseWith(digest, values['resume-digest'], '--resume-digest'),
            }
          : undefined,
      };
    }
    case 'export': {
      const format = parseWith(z.enum(EXPORT_FORMATS).default('ndjson'), values.format, '--format');
      if (values.agreement !== undefined) {
        return {
          kind: 'export',
          format,
          scope: { kind: 'agreement', agreementId: agreementArgument(values.agreement) },
        };
      }
      const from = parseWith(instant, values['recorded-from'], '--recorded-from');
      const to = parseWith(instant, values['recorded-to'], '--recorded-to');
      return { kind: 'export', format, scope: { kind: 'recorded_between', from, to } };
    }
    case 'check-export':
      return { kind: 'check-export', file: parseWith(z.string().min(1), rest[0], 'file') };
    default:
      throw new AuditUsageError(`unknown command ${JSON.stringify(command)}`);
  }
};
