import { Forbidden } from '@twinning/http-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from './actor.js';
import { actorOf } from './authentication-plugin.js';

/**
 * A `preHandler` that lets the request through when the actor holds at least one of the roles;
 * otherwise 403 (401 if the route was not authenticated at all).
 */
export const requireRole =
  (...roles: readonly [Role, ...Role[]]) =>
  (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    try {
      const actor = actorOf(request);
      if (actor.roles.some((role) => roles.includes(role))) {
        done();
        return;
      }
      done(
        Forbidden({
          detail: `This action needs the ${roles.join(' or ')} role`,
          extensions: { requiredRoles: [...roles] },
        }),
      );
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  };
