import type { z } from 'zod';
import { AgreementEventSchema, LATEST_SCHEMA_VERSIONS, type AgreementEvent } from './events.js';
import { err, ok, type Result } from './result.js';

/**
 * Events are stored forever, their shapes are not. A stored event is read as
 * `(type, schemaVersion, data)`, walked up one version at a time by the upcasters registered for
 * its type, and parsed with the latest schema, so nothing past this point ever sees an old shape.
 */

/** Turns the data of version `n` of an event type into the data of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;

/** Per event type, the upcaster from each older schema version to the next. */
export type UpcasterRegistry = {
  readonly [eventType: string]: { readonly [fromSchemaVersion: number]: Upcaster } | undefined;
};

export type UpcastFailure =
  | { readonly reason: 'UNKNOWN_EVENT_TYPE'; readonly message: string }
  | { readonly reason: 'UNKNOWN_SCHEMA_VERSION'; readonly message: string }
  | {
      readonly reason: 'INVALID_EVENT_DATA';
      readonly message: string;
      readonly issues: readonly z.core.$ZodIssue[];
    };

export interface UpcastingRules<E> {
  /** The latest schema version of each known event type. */
  readonly latestVersions: { readonly [eventType: string]: number | undefined };
  readonly upcasters: UpcasterRegistry;
  /** Parses `{ type, schemaVersion, data }` in the latest shape. */
  readonly latestSchema: z.ZodType<E>;
}

export const createUpcast =
  <E>(rules: UpcastingRules<E>) =>
  (storedType: string, storedSchemaVersion: number, data: unknown): Result<E, UpcastFailure> => {
    const latestVersion = Object.hasOwn(rules.latestVersions, storedType)
      ? rules.latestVersions[storedType]
      : undefined;
    if (latestVersion === undefined) {
      return err({ reason: 'UNKNOWN_EVENT_TYPE', message: `unknown event type "${storedType}"` });
    }
    if (!Number.isInteger(storedSchemaVersion) || storedSchemaVersion > latestVersion) {
      return err({
        reason: 'UNKNOWN_SCHEMA_VERSION',
        message: `${storedType} has no schema version ${storedSchemaVersion} (latest is ${latestVersion})`,
      });
    }
    let current = data;
    for (let version = storedSchemaVersion; version < latestVersion; version += 1) {
      const step = rules.upcasters[storedType]?.[version];
      if (step === undefined) {
        return err({
          reason: 'UNKNOWN_SCHEMA_VERSION',
          message: `${storedType} has no upcaster from schema version ${version} to ${version + 1}`,
        });
      }
      current = step(current);
    }
    const parsed = rules.latestSchema.safeParse({
      type: storedType,
      schemaVersion: latestVersion,
      data: current,
    });
    return parsed.success
      ? ok(parsed.data)
      : err({
          reason: 'INVALID_EVENT_DATA',
          message: `${storedType} v${storedSchemaVersion} does not fit its schema: ${parsed.error.message}`,
          issues: parsed.error.issues,
        });
  };

/** Every event type is at schema version 1 today, so no upcaster is registered yet. */
export const AGREEMENT_EVENT_UPCASTERS: UpcasterRegistry = {};

export const upcast = createUpcast<AgreementEvent>({
  latestVersions: LATEST_SCHEMA_VERSIONS,
  upcasters: AGREEMENT_EVENT_UPCASTERS,
  latestSchema: AgreementEventSchema,
});
