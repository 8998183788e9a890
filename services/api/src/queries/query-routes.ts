import { Forbidden, createProblem, type HttpApp } from '@twinning/http-kit';
import {
  InvalidCursorError,
  READ_MODEL_PROJECTIONS,
  agreementStatistics,
  cityNetwork,
  expiringAgreements,
  findCity,
  listAgreements,
  municipalityActivity,
  pendingSignatures,
  waitForReadModels,
  type AgreementSortField,
  type ReadScope,
} from '@twinning/read-models';
import type { SqlClient } from '@twinning/sql';
import type { FastifyReply } from 'fastify';
import { actorOf, type Actor } from '../auth/index.js';
import {
  ActivityQuerySchema,
  ActivityResponseSchema,
  AgreementListQuerySchema,
  AgreementListResponseSchema,
  CityParamsSchema,
  CityResponseSchema,
  DueQuerySchema,
  DueResponseSchema,
  NetworkQuerySchema,
  NetworkResponseSchema,
  ReadYourWritesSchema,
  StatisticsQuerySchema,
  StatisticsResponseSchema,
} from './query-schemas.js';

export const InvalidCursor = createProblem('TWN_ERR_INVALID_CURSOR', 400, 'Invalid cursor');
export const CityNotFound = createProblem('TWN_ERR_CITY_NOT_FOUND', 404, 'City not found');

export interface QueryRoutesDependencies {
  readonly sql: SqlClient;
  readonly now: () => Date;
  /** How long a query with `minPosition` waits for the read models; default 2 s. */
  readonly readYourWritesTimeoutMs?: number;
}

const PROJECTION_NAMES = READ_MODEL_PROJECTIONS.map((projection) => projection.name);

/** Auditors and admins read everything; a clerk reads their own municipality's agreements. */
const scopeOf = (actor: Actor): ReadScope =>
  actor.roles.some((role) => role === 'auditor' || role === 'admin') || actor.municipality === null
    ? { kind: 'everything' }
    : { kind: 'municipality', cityId: actor.municipality };

const withCursorProblems = async <T>(query: () => Promise<T>): Promise<T> => {
  try {
    return await query();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw InvalidCursor(error.message);
    throw error;
  }
};

const tags = ['queries'];
const security = [{ bearerAuth: [] }];

/**
 * Queries over the read models (`read.*` views the projector keeps). They are eventually
 * consistent: a caller who just wrote passes the command's `position` as `minPosition`, and the
 * answer waits for the read models to include it or says it is stale.
 */
export const registerQueryRoutes = (app: HttpApp, dependencies: QueryRoutesDependencies): void => {
  const { sql } = dependencies;
  const timeoutMs = dependencies.readYourWritesTimeoutMs ?? 2000;

  const readStatus = async (
    minPosition: string | undefined,
    reply: FastifyReply,
  ): Promise<{ stale: boolean; readPosition: string | null }> => {
    if (minPosition === undefined) return { stale: false, readPosition: null };
    const wait = await waitForReadModels(sql, {
      minPosition: BigInt(minPosition),
      projectionNames: PROJECTION_NAMES,
      timeoutMs,
    });
    const readPosition = wait.position?.toString() ?? null;
    if (readPosition !== null) void reply.header('x-twinning-read-position', readPosition);
    if (!wait.reached) {
      void reply.header(
        'warning',
        `110 twinning "Response is stale: read models have not reached position ${minPosition}"`,
      );
    }
    return { stale: !wait.reached, readPosition };
  };

  app.get(
    '/agreements',
    {
      schema: {
        summary: 'Agreements: filter, search, sort and page through them',
        description:
          'Clerks see the agreements their municipality is party to; auditors and admins see all. Data imported from Wikipedia: © Wikipedia contributors, CC BY-SA 4.0.',
        tags,
        security,
        querystring: AgreementListQuerySchema,
        response: { 200: AgreementListResponseSchema },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const status = await readStatus(query.minPosition, reply);
      const descending = query.sort.startsWith('-');
      const page = await withCursorProblems(() =>
        listAgreements(sql, {
          scope: scopeOf(actorOf(request)),
          ...(query.state === undefined ? {} : { states: query.state }),
          ...(query.kind === undefined ? {} : { kinds: query.kind }),
          ...(query.city === undefined ? {} : { cityId: query.city }),
          ...(query.country === undefined ? {} : { country: query.country }),
          ...(query.q === undefined ? {} : { text: query.q }),
          proposed: range(query.proposedFrom, query.proposedTo),
          signed: range(query.signedFrom, query.signedTo),
          activated: range(query.activeFrom, query.activeTo),
          sort: {
            field: (descending ? query.sort.slice(1) : query.sort) as AgreementSortField,
            direction: descending ? 'desc' : 'asc',
          },
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          limit: query.limit,
        }),
      );
      return { ...page, ...status };
    },
  );

  app.get(
    '/agreements/due',
    {
      schema: {
        summary: 'Agreements needing attention: signatures pending, fixed terms ending soon',
        tags,
        security,
        querystring: DueQuerySchema,
        response: { 200: DueResponseSchema },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const status = await readStatus(query.minPosition, reply);
      const scope = scopeOf(actorOf(request));
      const on = query.on ?? dependencies.now().toISOString().slice(0, 10);
      return {
        on,
        withinDays: query.withinDays,
        pendingSignatures: await pendingSignatures(sql, { scope, limit: query.limit }),
        expiring: await expiringAgreements(sql, {
          scope,
          on,
          withinDays: query.withinDays,
          limit: query.limit,
        }),
        ...status,
      };
    },
  );

  app.get(
    '/cities/:cityId',
    {
      schema: {
        summary: 'A city and its partners, with the state of each partnership',
        description: 'Public to every signed-in role.',
        tags,
        security,
        params: CityParamsSchema,
        querystring: ReadYourWritesSchema,
        response: { 200: CityResponseSchema },
      },
    },
    async (request, reply) => {
      const status = await readStatus(request.query.minPosition, reply);
      const city = await findCity(sql, request.params.cityId);
      if (city === undefined) {
        throw CityNotFound(`No agreement names the city ${request.params.cityId}`);
      }
      return { ...city, ...status };
    },
  );

  app.get(
    '/cities/:cityId/network',
    {
      schema: {
        summary: "A city's partnership network to a chosen depth (nodes and edges)",
        description:
          'Follows signed, active and suspended partnerships breadth-first, at most 4 hops; the nearest `maxNodes` cities are kept.',
        tags,
        security,
        params: CityParamsSchema,
        querystring: NetworkQuerySchema,
        response: { 200: NetworkResponseSchema },
      },
    },
    async (request, reply) => {
      const status = await readStatus(request.query.minPosition, reply);
      const network = await cityNetwork(sql, {
        cityId: request.params.cityId,
        depth: request.query.depth,
        maxNodes: request.query.maxNodes,
      });
      if (network === undefined) {
        throw CityNotFound(`No agreement names the city ${request.params.cityId}`);
      }
      return { ...network, ...status };
    },
  );

  app.get(
    '/municipalities/:cityId/activity',
    {
      schema: {
        summary: "A municipality's activity feed: events on its agreements, newest first",
        description: 'Clerks read their own municipality; auditors and admins any.',
        tags,
        security,
        params: CityParamsSchema,
        querystring: ActivityQuerySchema,
        response: { 200: ActivityResponseSchema },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(actorOf(request));
      if (scope.kind === 'municipality' && scope.cityId !== request.params.cityId) {
        throw Forbidden(`A clerk reads the activity of their own municipality (${scope.cityId})`);
      }
      const status = await readStatus(request.query.minPosition, reply);
      const page = await withCursorProblems(() =>
        municipalityActivity(sql, {
          cityId: request.params.cityId,
          ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
          limit: request.query.limit,
        }),
      );
      return { ...page, ...status };
    },
  );

  app.get(
    '/statistics',
    {
      schema: {
        summary: 'Counts by state, kind and country pair; partnerships started per year',
        description: 'Public to every signed-in role; counts every agreement.',
        tags,
        security,
        querystring: StatisticsQuerySchema,
        response: { 200: StatisticsResponseSchema },
      },
    },
    async (request, reply) => {
      const status = await readStatus(request.query.minPosition, reply);
      const statistics = await agreementStatistics(sql, {
        countryPairLimit: request.query.countryPairs,
      });
      return { ...statistics, ...status };
    },
  );
};

const range = (from: string | undefined, to: string | undefined) => ({
  ...(from === undefined ? {} : { from }),
  ...(to === undefined ? {} : { to }),
});
