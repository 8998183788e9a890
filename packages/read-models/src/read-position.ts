import { SqlState, isSqlError, type SqlQueryable } from '@twinning/sql';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How far the serving builds of these projections have applied the log: the lowest of their
 * checkpoints (`projection_checkpoints`, written by the projection runner), or `undefined` while
 * one of them has none (never run, still building its first version, or no runner yet).
 */
export const readModelPosition = async (
  sql: SqlQueryable,
  projectionNames: readonly string[],
): Promise<bigint | undefined> => {
  try {
    const { rows } = await sql.query<{ name: string; position: string | null }>(
      `SELECT name, position::text AS position FROM projection_checkpoints
        WHERE name = ANY($1) AND state = 'serving'`,
      [projectionNames],
    );
    let lowest: bigint | undefined;
    for (const name of projectionNames) {
      const position = rows.find((row) => row.name === name)?.position ?? null;
      if (position === null) return undefined;
      const value = BigInt(position);
      if (lowest === undefined || value < lowest) lowest = value;
    }
    return lowest;
  } catch (error) {
    // Before the runner's first start its tables do not exist: nothing has been projected.
    if (isSqlError(error, SqlState.undefinedTable)) return undefined;
    throw error;
  }
};

export interface ReadPositionWait {
  /** True when the read models had applied `minPosition` before the time ran out. */
  readonly reached: boolean;
  readonly position: bigint | undefined;
}

/**
 * Read your own writes: waits (bounded) until the read models have applied the event at
 * `minPosition`, polling their checkpoints. A caller that times out still gets an answer, which
 * it marks as stale.
 */
export const waitForReadModels = async (
  sql: SqlQueryable,
  request: {
    readonly minPosition: bigint;
    readonly projectionNames: readonly string[];
    readonly timeoutMs: number;
    readonly pollIntervalMs?: number;
  },
): Promise<ReadPositionWait> => {
  const deadline = Date.now() + request.timeoutMs;
  const pollIntervalMs = request.pollIntervalMs ?? 50;
  for (;;) {
    const position = await readModelPosition(sql, request.projectionNames);
    if (position !== undefined && position >= request.minPosition) {
      return { reached: true, position };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { reached: false, position };
    await sleep(Math.min(pollIntervalMs, remaining));
  }
};
