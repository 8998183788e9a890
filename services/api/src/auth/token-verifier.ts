import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { AuthConfig } from './auth-config.js';
import { tokenClaimsSchema } from './actor.js';
import type { Actor } from './actor.js';

/** Why a bearer token was refused. */
export type TokenRejection =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_signature'
  | 'algorithm_not_allowed'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims';

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
  }
}

/** The keys cannot be fetched: the caller's token may be fine, the API cannot tell. */
export class TokenVerificationUnavailableError extends Error {
  override readonly name = 'TokenVerificationUnavailableError';
}

export interface TokenVerifier {
  /** The actor a valid token names; throws `TokenRejectedError` or `TokenVerificationUnavailableError`. */
  verify(token: string): Promise<Actor>;
}

/** Seconds of clock skew allowed between the token issuer and this server. */
export const CLOCK_TOLERANCE_SECONDS = 5;

// Asymmetric only: accepting HS* here would let anyone holding the public key forge tokens.
const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const rejectionFromClaimFailure = (claim: string): TokenRejectedError => {
  switch (claim) {
    case 'nbf':
    case 'iat':
      return new TokenRejectedError('not_yet_valid', 'The token is not valid yet');
    case 'iss':
      return new TokenRejectedError('wrong_issuer', 'The token was issued by an unexpected issuer');
    case 'aud':
      return new TokenRejectedError('wrong_audience', 'The token is meant for another audience');
    default:
      return new TokenRejectedError('invalid_claims', `The token's "${claim}" claim is invalid`);
  }
};

const translateJoseError = (error: unknown): Error => {
  if (error instanceof errors.JWTExpired) {
    return new TokenRejectedError('expired', 'The token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed)
    return rejectionFromClaimFailure(error.claim);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new TokenRejectedError(
      'algorithm_not_allowed',
      'The token is signed with an algorithm this API does not accept',
    );
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  ) {
    return new TokenRejectedError('invalid_signature', 'The token signature is not valid');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejectedError('malformed', 'The token is not a well-formed JWT');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new TokenVerificationUnavailableError('The signing keys could not be fetched', {
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) {
    return new TokenRejectedError('malformed', 'The token could not be verified');
  }
  // Anything else comes from fetching the key set (network, DNS, HTTP status).
  return new TokenVerificationUnavailableError('The signing keys could not be fetched', {
    cause: error,
  });
};

const createVerifier = (
  key: Uint8Array | JWTVerifyGetKey,
  options: JWTVerifyOptions,
): TokenVerifier => ({
  async verify(token) {
    if (!COMPACT_JWS.test(token)) {
      throw new TokenRejectedError('malformed', 'The token is not a well-formed JWT');
    }
    let payload: unknown;
    try {
      // The key is either bytes or a key set; jose takes both through one overloaded signature.
      ({ payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options));
    } catch (error) {
      throw translateJoseError(error);
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map(
        (issue) => `${issue.path.join('.') || 'claims'} ${issue.message}`,
      );
      throw new TokenRejectedError(
        'invalid_claims',
        `The token's claims are invalid: ${problems.join('; ')}`,
      );
    }
    return claims.data;
  },
});

export const createTokenVerifier = (config: AuthConfig): TokenVerifier => {
  const common = {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp', 'sub'],
  };
  switch (config.mode) {
    case 'dev':
      return createVerifier(new TextEncoder().encode(config.secret), {
        ...common,
        algorithms: ['HS256'],
      });
    case 'oidc':
      return createVerifier(
        createRemoteJWKSet(config.jwksUrl, {
          timeoutDuration: 5_000,
          cooldownDuration: 30_000,
          cacheMaxAge: 600_000,
        }),
        { ...common, algorithms: OIDC_ALGORITHMS },
      );
    default: {
      const _exhaustive: never = config;
      return _exhaustive;
    }
  }
};
