export { ROLES, cityIdSchema, tokenClaimsSchema } from './actor.js';
export type { Actor, Role, TokenClaims } from './actor.js';
export {
  DEFAULT_DEV_SECRET,
  DEV_AUDIENCE,
  DEV_ISSUER,
  authEnvironmentSchema,
  loadAuthConfig,
} from './auth-config.js';
export type { AuthConfig } from './auth-config.js';
export {
  CLOCK_TOLERANCE_SECONDS,
  TokenRejectedError,
  TokenVerificationUnavailableError,
  createTokenVerifier,
} from './token-verifier.js';
export type { TokenRejection, TokenVerifier } from './token-verifier.js';
export {
  AUTH_REALM,
  actorOf,
  authenticationPlugin,
  bearerTokenOf,
} from './authentication-plugin.js';
export type { AuthenticationOptions } from './authentication-plugin.js';
export { requireRole } from './require-role.js';
export { MINT_TOKEN_USAGE, mintDevToken, parseMintTokenArguments } from './dev-token.js';
export type { DevTokenRequest } from './dev-token.js';
