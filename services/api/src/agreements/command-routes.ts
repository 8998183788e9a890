import {
  executeAgreementCommand,
  type CommandOutcome,
  type CommandResult,
  type LoadedAgreement,
} from '@twinning/agreements';
import {
  AgreementIdSchema,
  CommandSchema,
  type AgreementId,
  type CityId,
  type Command,
} from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import { HttpProblemError, type HttpApp } from '@twinning/http-kit';
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { actorOf, requireRole, type Actor } from '../auth/index.js';
import type { MunicipalityDirectory } from '../municipalities/municipality-directory.js';
import { COMMAND_ENDPOINTS, type CommandEndpoint } from './command-endpoints.js';
import { AgreementNotFound, InvalidCommand, problemForCommandFailure } from './command-problems.js';
import { CommandHeadersSchema, expectedRevisionOf } from './preconditions.js';
import {
  AgreementRepresentationSchema,
  DecimalString,
  StoredEventSchema,
  domainActorOf,
  etagOf,
  ownPartyOf,
  representAgreement,
  representEvent,
  viewOf,
} from './representation.js';

export interface AgreementRoutesDependencies {
  readonly store: EventStore;
  readonly municipalities: MunicipalityDirectory;
  readonly now: () => Date;
}

/** Agreement ids of proposals made with an Idempotency-Key derive from it, so retries converge. */
const PROPOSAL_ID_NAMESPACE = '2d0f9c9e-8a57-4d0b-b0c4-6f3f3c1e7a10';

export const AgreementIdParamsSchema = z.object({ agreementId: AgreementIdSchema });

const CommandResponseSchema = AgreementRepresentationSchema.extend({
  position: DecimalString.describe(
    'Global position of the last event appended; pass it as `minPosition` to read your own write',
  ),
  appended: z.array(StoredEventSchema).describe('The events this command appended'),
});

const todayOf = (now: Date): string => now.toISOString().slice(0, 10);

/** One route per lifecycle command; each follows `executeAgreementCommand`'s single path. */
export const registerAgreementCommandRoutes = (
  app: HttpApp,
  dependencies: AgreementRoutesDependencies,
): void => {
  const commandsTotal = app.metrics.counter({
    name: 'twinning_commands_total',
    help: 'Agreement commands handled, by command type and outcome.',
    labelNames: ['command', 'outcome'],
  });
  const commandDuration = app.metrics.histogram({
    name: 'twinning_command_duration_seconds',
    help: 'Time to decide and append an agreement command, by command type.',
    labelNames: ['command'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  const commandOf = (
    endpoint: CommandEndpoint<z.ZodObject>,
    agreementId: AgreementId,
    body: Readonly<Record<string, unknown>>,
    caller: Actor,
    agreement: LoadedAgreement,
  ): Command => {
    // Commands answer like reads for a clerk of neither city: no hint that the agreement exists,
    // nor what state it is in (the lifecycle would otherwise explain its refusal in detail).
    const record = agreement.state.snapshot.context.agreement;
    if (
      record !== null &&
      caller.municipality !== record.proposer.cityId &&
      caller.municipality !== record.partner.cityId
    ) {
      throw AgreementNotFound('No agreement you may read has this id');
    }
    const candidate: Record<string, unknown> = {
      ...body,
      type: endpoint.commandType,
      agreementId,
      actor: domainActorOf(caller),
      [endpoint.dateField]: body[endpoint.dateField] ?? todayOf(dependencies.now()),
    };
    if ('party' in endpoint.body.shape && body['party'] === undefined) {
      candidate['party'] = ownPartyOf(agreement, caller);
    }
    const parsed = CommandSchema.safeParse(candidate);
    if (!parsed.success) {
      throw InvalidCommand({
        detail: 'The command does not fit its schema',
        errors: parsed.error.issues.map((issue) => ({
          path: ['body', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
      });
    }
    return parsed.data;
  };

  for (const endpoint of COMMAND_ENDPOINTS as readonly CommandEndpoint<z.ZodObject>[]) {
    const isProposal = endpoint.path === undefined;
    app.route({
      method: 'POST',
      url: isProposal ? '/agreements' : `/agreements/:agreementId/${endpoint.path}`,
      schema: {
        summary: endpoint.summary,
        tags: ['agreement commands'],
        security: [{ bearerAuth: [] }],
        headers: CommandHeadersSchema,
        ...(isProposal ? {} : { params: AgreementIdParamsSchema }),
        body: endpoint.body.meta({ examples: [endpoint.example] }),
        response: { [isProposal ? 201 : 200]: CommandResponseSchema },
      },
      preHandler: requireRole('clerk'),
      handler: async (request, reply) => {
        const caller = actorOf(request);
        const stopTimer = commandDuration.startTimer({ command: endpoint.commandType });
        const idempotencyKey = request.headers['idempotency-key'];
        const agreementId = isProposal
          ? AgreementIdSchema.parse(
              idempotencyKey === undefined
                ? uuidv4()
                : uuidv5(`${caller.subject}:${idempotencyKey}`, PROPOSAL_ID_NAMESPACE),
            )
          : (request.params as z.infer<typeof AgreementIdParamsSchema>).agreementId;
        const body = request.body as Readonly<Record<string, unknown>>;
        const expectedRevision = expectedRevisionOf(request.headers['if-match']);

        let result: CommandResult;
        try {
          if (caller.municipality !== null) {
            await dependencies.municipalities.recordClerk(
              caller.municipality as CityId,
              dependencies.now(),
            );
          }
          result = await executeAgreementCommand(
            {
              store: dependencies.store,
              now: dependencies.now,
              citiesWithClerks: (cityIds) => dependencies.municipalities.citiesWithClerks(cityIds),
            },
            {
              agreementId,
              command: (agreement) => commandOf(endpoint, agreementId, body, caller, agreement),
              ...(expectedRevision === undefined ? {} : { expectedRevision }),
              ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
              correlationId: request.correlationId,
              causationId: request.id,
            },
          );
        } catch (error) {
          // Refused before a decision (a body the domain refuses, an agreement the caller may not
          // see) or failed: counted too, so that the metric adds up to the commands handled.
          const refused = error instanceof HttpProblemError && error.status < 500;
          commandsTotal.inc({
            command: endpoint.commandType,
            outcome: refused ? 'refused' : 'failed',
          });
          throw error;
        } finally {
          stopTimer();
        }
        if (!result.ok) {
          commandsTotal.inc({ command: endpoint.commandType, outcome: result.error.kind });
          throw problemForCommandFailure(result.error);
        }
        commandsTotal.inc({
          command: endpoint.commandType,
          outcome: result.value.replayed ? 'replayed' : 'accepted',
        });
        const outcome = result.value;
        const body201 = await respondWith(outcome, caller, dependencies.municipalities);
        void reply
          .header('etag', etagOf(outcome.agreement.revision))
          .header('x-twinning-position', outcome.position.toString());
        if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
        if (isProposal) {
          void reply.header('location', `/agreements/${agreementId}`).code(201);
        }
        return body201;
      },
    });
  }
};

const respondWith = async (
  outcome: CommandOutcome,
  caller: Actor,
  municipalities: MunicipalityDirectory,
) => {
  const view = viewOf(outcome.agreement);
  if (view === null) throw new Error('a command succeeded but left no agreement');
  const citiesWithClerks = await municipalities.citiesWithClerks([
    view.proposer.cityId,
    view.partner.cityId,
  ]);
  return {
    ...representAgreement(outcome.agreement, view, caller, citiesWithClerks),
    position: outcome.position.toString(),
    appended: outcome.appended.map(representEvent),
  };
};
