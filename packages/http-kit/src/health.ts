/**
 * Readiness: can this instance serve traffic now (database reachable, store open)? Liveness only
 * says the process runs; it never consults dependencies, so a database outage does not get every
 * replica restarted.
 */

/** Plain JSON a check reports beside its verdict, e.g. how far behind a projection is. */
export type ReadinessDetails = { readonly [key: string]: unknown };

/**
 * Resolves when the dependency is usable, optionally with details to show; throws (or rejects)
 * when it is not — with a `ReadinessCheckFailed` to show details of the failure too.
 */
export type ReadinessCheck = (
  signal: AbortSignal,
) => Promise<ReadinessDetails | void> | ReadinessDetails | void;

/** A failed check that says why, in details shown in the readiness report. */
export class ReadinessCheckFailed extends Error {
  override readonly name: string = 'ReadinessCheckFailed';
  constructor(
    message: string,
    readonly details: ReadinessDetails,
  ) {
    super(message);
  }
}

export type ReadinessFailure = 'timeout' | 'failed';

export interface ReadinessCheckResult {
  readonly name: string;
  readonly status: 'pass' | 'fail';
  readonly durationMs: number;
  readonly reason?: ReadinessFailure;
  readonly details?: ReadinessDetails;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  readonly checks: readonly ReadinessCheckResult[];
}

export interface FailedCheck {
  readonly name: string;
  readonly reason: ReadinessFailure;
  readonly error: unknown;
}

export interface Readiness {
  /** Registers a named check; names are unique. */
  add(name: string, check: ReadinessCheck): void;
  /** Runs every check in parallel, each bounded by the timeout. */
  run(onFailure?: (failure: FailedCheck) => void): Promise<ReadinessReport>;
}

class ReadinessTimeoutError extends Error {
  override readonly name = 'ReadinessTimeoutError';
}

const runWithTimeout = async (
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<ReadinessDetails | void> => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ReadinessTimeoutError(`timed out after ${timeoutMs}ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => check(controller.signal)), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export const createReadiness = (timeoutMs: number): Readiness => {
  const checks = new Map<string, ReadinessCheck>();
  return {
    add(name, check) {
      if (checks.has(name)) throw new Error(`Readiness check "${name}" is already registered`);
      checks.set(name, check);
    },
    async run(onFailure) {
      const results = await Promise.all(
        [...checks].map(async ([name, check]): Promise<ReadinessCheckResult> => {
          const started = performance.now();
          const durationMs = () => Math.round(performance.now() - started);
          try {
            const details = await runWithTimeout(check, timeoutMs);
            return {
              name,
              status: 'pass',
              durationMs: durationMs(),
              ...(details === undefined ? {} : { details }),
            };
          } catch (error) {
            const reason = error instanceof ReadinessTimeoutError ? 'timeout' : 'failed';
            onFailure?.({ name, reason, error });
            return {
              name,
              status: 'fail',
              durationMs: durationMs(),
              reason,
              ...(error instanceof ReadinessCheckFailed ? { details: error.details } : {}),
            };
          }
        }),
      );
      return {
        status: results.every((result) => result.status === 'pass') ? 'ready' : 'not_ready',
        checks: results,
      };
    },
  };
};
