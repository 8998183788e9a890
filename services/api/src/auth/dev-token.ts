import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { DEFAULT_DEV_SECRET, DEV_AUDIENCE, DEV_ISSUER } from './auth-config.js';
import { ROLES, tokenClaimsSchema } from './actor.js';
import type { Role } from './actor.js';

export interface DevTokenRequest {
  /** Defaults to the public development secret (see `DEFAULT_DEV_SECRET`). */
  readonly secret?: string;
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** Required for clerks. */
  readonly municipality?: string;
  /** A jose time span (`15m`, `8h`, `2d`) or seconds; 8 hours by default. */
  readonly expiresIn?: string | number;
  readonly issuer?: string;
  readonly audience?: string;
}

/**
 * Signs an HS256 token that `AUTH_MODE=dev` accepts. The claims are checked with the same schema
 * the API verifies with, so a token the API would refuse (a clerk without a municipality) is never
 * minted.
 */
export const mintDevToken = async (request: DevTokenRequest): Promise<string> => {
  const claims = {
    sub: request.subject,
    name: request.name,
    roles: [...request.roles],
    ...(request.municipality === undefined ? {} : { municipality: request.municipality }),
  };
  const checked = tokenClaimsSchema.safeParse(claims);
  if (!checked.success) {
    throw new TypeError(
      `Cannot mint this token: ${checked.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
    );
  }
  const { sub: _subject, ...customClaims } = claims;
  return new SignJWT(customClaims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuer(request.issuer ?? DEV_ISSUER)
    .setAudience(request.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h')
    .sign(new TextEncoder().encode(request.secret ?? DEFAULT_DEV_SECRET));
};

export const MINT_TOKEN_USAGE = `Usage: mint-token --role <clerk|auditor|admin> [--role ...] [--municipality <city id>]
                  [--name "<display name>"] [--subject <id>] [--expires-in <8h>]

Prints a development bearer token for AUTH_MODE=dev, signed with AUTH_DEV_SECRET (or the public,
insecure default development secret when it is not set).

Example: mint-token --role clerk --municipality gb-coventry --name "Coventry clerk"`;

const mintTokenArgumentsSchema = z.object({
  role: z
    .array(z.enum(ROLES, { error: `--role must be one of ${ROLES.join(', ')}` }))
    .min(1, '--role is required'),
  municipality: z.string().optional(),
  name: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  'expires-in': z
    .string()
    .regex(
      /^\d+\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|days?|w|weeks?)$/,
      '--expires-in must look like 15m, 8h or 2d',
    )
    .optional(),
});

/** Turns `mint-token` command-line arguments into a token request; throws with a usage message. */
export const parseMintTokenArguments = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DevTokenRequest => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      role: { type: 'string', multiple: true },
      municipality: { type: 'string' },
      name: { type: 'string' },
      subject: { type: 'string' },
      'expires-in': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const parsed = mintTokenArgumentsSchema.safeParse({ role: [], ...values });
  if (!parsed.success) {
    throw new TypeError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  }
  const { role: roles, municipality, name, subject } = parsed.data;
  const defaultSubject = `dev-${roles.join('-')}${municipality === undefined ? '' : `-${municipality}`}`;
  const secret = env['AUTH_DEV_SECRET'];
  return {
    roles,
    subject: subject ?? defaultSubject,
    name: name ?? subject ?? defaultSubject,
    ...(municipality === undefined ? {} : { municipality }),
    ...(parsed.data['expires-in'] === undefined ? {} : { expiresIn: parsed.data['expires-in'] }),
    ...(secret === undefined || secret === '' ? {} : { secret }),
  };
};
