import { z } from 'zod';

export const ROLES = ['clerk', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A municipality's id: ISO 3166-1 alpha-2 country code and a slug, e.g. `gb-coventry`, `us-toledo-oh`. */
export const cityIdSchema = z
  .string()
  .regex(/^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a city id such as gb-coventry');

/** Who is calling: taken from a verified token, never from the request body. */
export interface Actor {
  readonly subject: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  /** The municipality a clerk acts for; `null` for auditors and admins without one. */
  readonly municipality: string | null;
}

/**
 * The claims the API reads from a verified token. Registered claims (`exp`, `iss`, `aud`, `nbf`)
 * are checked by the verifier before this schema runs.
 */
export const tokenClaimsSchema = z
  .object({
    sub: z.string().min(1).max(255),
    name: z.string().trim().min(1).max(200).optional(),
    roles: z.array(z.enum(ROLES)).min(1, 'must name at least one role'),
    municipality: cityIdSchema.optional(),
  })
  .refine((claims) => !claims.roles.includes('clerk') || claims.municipality !== undefined, {
    path: ['municipality'],
    message: 'is required for a clerk',
  })
  .transform((claims): Actor => ({
    subject: claims.sub,
    displayName: claims.name ?? claims.sub,
    roles: [...new Set(claims.roles)],
    municipality: claims.municipality ?? null,
  }));

export type TokenClaims = z.input<typeof tokenClaimsSchema>;

declare module '@twinning/http-kit' {
  interface ActorTypes {
    actor: Actor;
  }
}
