import type { CommandFailure } from '@twinning/agreements';
import type { RejectionReason } from '@twinning/domain';
import { createProblem, type HttpProblemError } from '@twinning/http-kit';

export const AgreementNotFound = createProblem(
  'TWN_ERR_AGREEMENT_NOT_FOUND',
  404,
  'Agreement not found',
);
export const CommandRejected = createProblem(
  'TWN_ERR_COMMAND_REJECTED',
  409,
  'The lifecycle does not allow this command now',
);
export const CommandNotPermitted = createProblem(
  'TWN_ERR_COMMAND_NOT_PERMITTED',
  403,
  'You may not issue this command for this agreement',
);
export const InvalidCommand = createProblem('TWN_ERR_INVALID_COMMAND', 400, 'Invalid command');
export const PreconditionFailed = createProblem(
  'TWN_ERR_PRECONDITION_FAILED',
  412,
  'The agreement has changed since you read it',
);
export const ConcurrentModification = createProblem(
  'TWN_ERR_CONCURRENT_MODIFICATION',
  409,
  'The agreement kept changing while the command was applied',
);
export const IdempotencyKeyReused = createProblem(
  'TWN_ERR_IDEMPOTENCY_KEY_REUSED',
  422,
  'The idempotency key was already used for another command',
);

/** Who-may-act reasons are refusals of the caller (403); the rest are lifecycle conflicts (409). */
const PERMISSION_REASONS: ReadonlySet<RejectionReason> = new Set([
  'ROLE_MAY_NOT_ACT',
  'NOT_A_PARTY',
  'MAY_ACT_ONLY_FOR_OWN_PARTY',
  'ACTING_FOR_REPRESENTED_PARTY',
  'EVIDENCE_REQUIRED',
  'ONLY_PROPOSER_MAY_WITHDRAW',
  'ONLY_PARTNER_MAY_DECLINE',
]);

export const problemForCommandFailure = (failure: CommandFailure): HttpProblemError => {
  switch (failure.kind) {
    case 'not_found':
      return AgreementNotFound('No agreement has been proposed under this id');
    case 'rejected': {
      const { reason, message, allowedCommands, issues } = failure.error;
      const extensions = {
        reason,
        allowedCommands: [...allowedCommands],
        ...(failure.revision === undefined ? {} : { revision: failure.revision.toString() }),
      };
      if (reason === 'AGREEMENT_NOT_FOUND') return AgreementNotFound({ detail: message });
      if (reason === 'INVALID_COMMAND') {
        return InvalidCommand({
          detail: message,
          extensions,
          errors: (issues ?? []).map((issue) => ({
            path: ['body', ...issue.path.map(String)].join('.'),
            message: issue.message,
          })),
        });
      }
      const problem = PERMISSION_REASONS.has(reason) ? CommandNotPermitted : CommandRejected;
      return problem({ detail: message, extensions });
    }
    case 'revision_mismatch':
      return PreconditionFailed({
        detail: `If-Match named revision ${failure.expected.toString()}; the agreement is at ${failure.actual?.toString() ?? 'no revision'}. Read it again and decide anew.`,
        extensions: {
          expectedRevision: failure.expected.toString(),
          ...(failure.actual === undefined ? {} : { revision: failure.actual.toString() }),
        },
      });
    case 'contended':
      return ConcurrentModification({
        detail: `Other commands kept changing the agreement; gave up after ${failure.attempts} attempts. Try again.`,
      });
    case 'idempotency_key_reused':
      return IdempotencyKeyReused({
        detail: `Idempotency-Key "${failure.key}" was first used for ${failure.firstCommandType}`,
        extensions: { firstCommandType: failure.firstCommandType },
      });
    default: {
      const _exhaustive: never = failure;
      return _exhaustive;
    }
  }
};
