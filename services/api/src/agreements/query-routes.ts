import { loadAgreement, type LoadedAgreement } from '@twinning/agreements';
import type { AgreementView } from '@twinning/domain';
import type { HttpApp } from '@twinning/http-kit';
import { z } from 'zod';
import { actorOf, type Actor } from '../auth/index.js';
import { AgreementIdParamsSchema, type AgreementRoutesDependencies } from './command-routes.js';
import { AgreementNotFound } from './command-problems.js';
import {
  AgreementRepresentationSchema,
  StoredEventSchema,
  etagOf,
  representAgreement,
  representEvent,
  viewOf,
} from './representation.js';

/**
 * Auditors and admins read every agreement; a clerk reads the agreements their city is party to.
 * Unknown and unreadable agreements answer alike (404), so ids cannot be probed.
 */
const readableView = (loaded: LoadedAgreement, caller: Actor): AgreementView => {
  const view = viewOf(loaded);
  const readable =
    view !== null &&
    (caller.roles.some((role) => role === 'auditor' || role === 'admin') ||
      caller.municipality === view.proposer.cityId ||
      caller.municipality === view.partner.cityId);
  if (!readable) throw AgreementNotFound('No agreement you may read has this id');
  return view;
};

/** Reads straight from the agreement's stream: always current, whatever the read models say. */
export const registerAgreementQueryRoutes = (
  app: HttpApp,
  dependencies: Pick<AgreementRoutesDependencies, 'store' | 'municipalities'>,
): void => {
  app.get(
    '/agreements/:agreementId',
    {
      schema: {
        summary: 'An agreement as it stands now, rebuilt from its events',
        tags: ['agreements'],
        security: [{ bearerAuth: [] }],
        params: AgreementIdParamsSchema,
        response: { 200: AgreementRepresentationSchema },
      },
    },
    async (request, reply) => {
      const loaded = await loadAgreement(dependencies.store, request.params.agreementId);
      const view = readableView(loaded, actorOf(request));
      const citiesWithClerks = await dependencies.municipalities.citiesWithClerks([
        view.proposer.cityId,
        view.partner.cityId,
      ]);
      void reply.header('etag', etagOf(loaded.revision));
      return representAgreement(loaded, view, actorOf(request), citiesWithClerks);
    },
  );

  app.get(
    '/agreements/:agreementId/events',
    {
      schema: {
        summary: "An agreement's history: every event with its metadata and hash chain",
        tags: ['agreements'],
        security: [{ bearerAuth: [] }],
        params: AgreementIdParamsSchema,
        response: { 200: z.object({ events: z.array(StoredEventSchema) }) },
      },
    },
    async (request, reply) => {
      const loaded = await loadAgreement(dependencies.store, request.params.agreementId);
      readableView(loaded, actorOf(request));
      void reply.header('etag', etagOf(loaded.revision));
      return { events: loaded.events.map(representEvent) };
    },
  );
};
