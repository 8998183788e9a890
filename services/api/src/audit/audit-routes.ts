import { Readable } from 'node:stream';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  chainBreakToJson,
  createAuditor,
  inForceRecordFromLog,
  isHexDigest,
  type AgreementChange,
  type InForceQuery,
  type ReplayPoint,
  type ReplayedAgreement,
  type StreamHeads,
} from '@twinning/audit';
import { AgreementIdSchema, IsoDateSchema, toAgreementStreamId } from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import type { HttpApp } from '@twinning/http-kit';
import { z } from 'zod';
import { requireRole } from '../auth/index.js';
import {
  AuditAgreementNotFound,
  InvalidAuditQuery,
  problemFromAuditError,
} from './audit-problems.js';

export interface AuditRouteOptions {
  /**
   * The in-force read model (`createSqlInForceQuery` over the `audit_in_force` projection).
   * Without it each in-force question folds the whole log, which only suits small stores.
   */
  readonly inForce?: InForceQuery;
  /** The store's record of stream heads, so verification also sees a removed tail. */
  readonly streamHeads?: StreamHeads;
}

export interface AuditRoutesDependencies extends AuditRouteOptions {
  readonly store: EventStore;
  readonly now: () => Date;
}

const DecimalString = z.string().regex(/^\d+$/, 'a non-negative whole number');
const Instant = z.iso.datetime({ offset: true });
const AgreementParams = z.object({ agreementId: AgreementIdSchema });
const Format = z.enum(EXPORT_FORMATS).default('ndjson');

const StateQuery = z
  .object({
    revision: DecimalString.optional().describe('Replay up to and including this revision'),
    recordedAt: Instant.optional().describe('As recorded at this system time'),
    inForceOn: IsoDateSchema.optional().describe('As in force on this business date'),
    knownAt: Instant.optional().describe('With inForceOn: as the record stood at this time'),
  })
  .refine(
    (query) =>
      [query.revision, query.recordedAt, query.inForceOn].filter((each) => each !== undefined)
        .length <= 1,
    { message: 'ask for one of revision, recordedAt or inForceOn' },
  )
  .refine((query) => query.knownAt === undefined || query.inForceOn !== undefined, {
    message: 'knownAt goes with inForceOn',
    path: ['knownAt'],
  });

const pointOf = (query: z.infer<typeof StateQuery>): ReplayPoint => {
  if (query.revision !== undefined) return { kind: 'revision', revision: BigInt(query.revision) };
  if (query.recordedAt !== undefined) return { kind: 'recorded', at: new Date(query.recordedAt) };
  if (query.inForceOn !== undefined) {
    return {
      kind: 'in_force',
      on: query.inForceOn,
      ...(query.knownAt === undefined ? {} : { knownAt: new Date(query.knownAt) }),
    };
  }
  return { kind: 'latest' };
};

const pointToJson = (point: ReplayPoint) => {
  switch (point.kind) {
    case 'latest':
      return { kind: point.kind };
    case 'revision':
      return { kind: point.kind, revision: point.revision.toString() };
    case 'recorded':
      return { kind: point.kind, at: point.at.toISOString() };
    case 'in_force':
      return { kind: point.kind, on: point.on, knownAt: point.knownAt?.toISOString() ?? null };
    default: {
      const _exhaustive: never = point;
      return _exhaustive;
    }
  }
};

const replayToJson = (replayed: ReplayedAgreement) => ({
  point: pointToJson(replayed.point),
  revision: replayed.revision?.toString() ?? null,
  eventsApplied: replayed.eventsApplied,
  machineVersion: replayed.machineVersion ?? null,
  inForce: replayed.inForce,
  agreement: replayed.view,
});

const changeToJson = (change: AgreementChange) => ({
  ...change,
  revision: change.revision.toString(),
  position: change.position.toString(),
  knownSince: change.knownSince.toISOString(),
});

const auditRoute = {
  tags: ['audit'],
  security: [{ bearerAuth: [] }],
};
const auditorsOnly = { preHandler: requireRole('auditor') };

/**
 * The auditor's routes: replay at any moment, verification, exports. Auditors only: admins run
 * the system but do not audit it (separation of duties), and clerks see their own agreements
 * through `/agreements`.
 */
export const registerAuditRoutes = (app: HttpApp, dependencies: AuditRoutesDependencies): void => {
  const auditor = createAuditor({
    store: dependencies.store,
    now: dependencies.now,
    ...(dependencies.streamHeads === undefined ? {} : { streamHeads: dependencies.streamHeads }),
  });
  const inForce = async (): Promise<InForceQuery> =>
    dependencies.inForce ??
    (await inForceRecordFromLog(
      dependencies.store.readAll({ filter: { streamPrefixes: ['agreement-'] } }),
    ));
  const answer = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw problemFromAuditError(error);
    }
  };
  const assertAgreementExists = async (streamId: string): Promise<void> => {
    for await (const _first of dependencies.store.readStream(streamId, { maxCount: 1 })) return;
    throw AuditAgreementNotFound(`No agreement has the stream ${streamId}`);
  };

  app.get(
    '/audit/agreements/:agreementId/state',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: 'An agreement as of a revision, a recorded time or a business date',
        params: AgreementParams,
        querystring: StateQuery,
      },
    },
    (request) =>
      answer(async () =>
        replayToJson(await auditor.replay(request.params.agreementId, pointOf(request.query))),
      ),
  );

  app.get(
    '/audit/agreements/:agreementId/changes/:revision',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: 'One event with the agreement before and after it, who did it and why',
        params: AgreementParams.extend({ revision: DecimalString }),
      },
    },
    (request) =>
      answer(async () =>
        changeToJson(
          await auditor.change(request.params.agreementId, BigInt(request.params.revision)),
        ),
      ),
  );

  app.get(
    '/audit/agreements/:agreementId/verification',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: "Verifies an agreement's hash chain and reports the first broken link",
        params: AgreementParams,
      },
    },
    (request) =>
      answer(async () => {
        const verified = await auditor.verifyAgreement(request.params.agreementId);
        return {
          agreementId: verified.agreementId,
          streamId: verified.streamId,
          events: verified.events,
          intact: verified.firstBreak === undefined,
          head:
            verified.head === undefined
              ? null
              : { revision: verified.head.revision.toString(), hash: verified.head.hash },
          breaks: verified.breaks,
          firstBreak:
            verified.firstBreak === undefined ? null : chainBreakToJson(verified.firstBreak),
        };
      }),
  );

  app.get(
    '/audit/agreements/:agreementId/export',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: "An agreement's full record, streamed as NDJSON or CSV with a digest trailer",
        params: AgreementParams,
        querystring: z.object({ format: Format }),
      },
    },
    async (request, reply) => {
      await assertAgreementExists(toAgreementStreamId(request.params.agreementId));
      const format = request.query.format;
      return reply
        .type(EXPORT_CONTENT_TYPES[format])
        .header(
          'content-disposition',
          `attachment; filename="agreement-${request.params.agreementId}.${format}"`,
        )
        .send(Readable.from(auditor.exportAgreement(request.params.agreementId, format)));
    },
  );

  app.get(
    '/audit/in-force',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: 'Every partnership in force on a date, as known now or at an earlier time',
        querystring: z.object({ on: IsoDateSchema, knownAt: Instant.optional() }),
      },
    },
    async (request) => {
      const knownAt =
        request.query.knownAt === undefined ? undefined : new Date(request.query.knownAt);
      const partnerships = await (await inForce()).partnershipsInForceOn(request.query.on, knownAt);
      return {
        on: request.query.on,
        knownAt: knownAt?.toISOString() ?? null,
        count: partnerships.length,
        partnerships,
      };
    },
  );

  app.get(
    '/audit/verification',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: 'Verifies every chain in the log and gives the log digest at a position',
        querystring: z.object({
          at: DecimalString.optional().describe('Verify up to and including this position'),
          digest: z
            .string()
            .optional()
            .describe('A digest written down earlier for the same position, to compare'),
        }),
      },
    },
    (request) =>
      answer(async () => {
        const { digest: writtenDown } = request.query;
        if (
          writtenDown !== undefined &&
          (!isHexDigest(writtenDown) || request.query.at === undefined)
        ) {
          throw InvalidAuditQuery(
            'digest must be 64 lower-case hex digits, given with its position (at)',
          );
        }
        const verified = await auditor.verifyLog(
          request.query.at === undefined ? {} : { at: BigInt(request.query.at) },
        );
        return {
          intact: verified.firstBreak === undefined,
          digest: {
            position: verified.digest.position?.toString() ?? null,
            events: verified.digest.events,
            digest: verified.digest.digest,
          },
          digestMatches: writtenDown === undefined ? null : writtenDown === verified.digest.digest,
          breaks: verified.breaks,
          firstBreak:
            verified.firstBreak === undefined ? null : chainBreakToJson(verified.firstBreak),
        };
      }),
  );

  app.get(
    '/audit/export',
    {
      ...auditorsOnly,
      schema: {
        ...auditRoute,
        summary: 'All events recorded in a time range, streamed with the log digest',
        querystring: z.object({ recordedFrom: Instant, recordedTo: Instant, format: Format }),
      },
    },
    async (request, reply) => {
      const { recordedFrom, recordedTo, format } = request.query;
      const lines = await answer(() =>
        Promise.resolve(
          auditor.exportRecordedBetween(new Date(recordedFrom), new Date(recordedTo), format),
        ),
      );
      return reply
        .type(EXPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="events.${format}"`)
        .send(Readable.from(lines));
    },
  );
};
