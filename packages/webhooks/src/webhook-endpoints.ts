import { randomUUID } from 'node:crypto';
import type { SqlClient, SqlQueryable } from '@twinning/sql';
import {
  checkEndpointUrl,
  systemResolver,
  type EndpointAddressPolicy,
  type EndpointUrlRejection,
  type HostResolver,
} from './endpoint-address-policy.js';
import type { WebhookEventType } from './event-types.js';
import type { SecretCipher } from './secret-encryption.js';
import { generateSigningSecret, signingKeyOf } from './signing-secret.js';
import { migrateWebhookSchema } from './webhook-schema.js';

export type EndpointStatus = 'active' | 'paused' | 'disabled';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  /** `null`: every event type. */
  readonly eventTypes: readonly WebhookEventType[] | null;
  /** `null`: every agreement; otherwise only agreements one of these cities is party to. */
  readonly cityIds: readonly string[] | null;
  readonly status: EndpointStatus;
  readonly disabledReason: string | null;
  readonly disabledAt: Date | null;
  /** Start of the current run of failed attempts; `null` while deliveries succeed. */
  readonly failingSince: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The secrets signing now: the current one, and earlier ones until their grace period ends. */
  readonly secrets: readonly { readonly createdAt: Date; readonly expiresAt: Date | null }[];
}

export interface EndpointDefinition {
  readonly url: string;
  readonly description?: string | null | undefined;
  readonly eventTypes?: readonly WebhookEventType[] | null | undefined;
  readonly cityIds?: readonly string[] | null | undefined;
}

/** Fields to change; an absent or `undefined` field stays as it is. */
export type EndpointChanges = {
  readonly [Field in keyof EndpointDefinition]?: EndpointDefinition[Field] | undefined;
};

export interface EndpointNotice {
  readonly id: string;
  readonly endpointId: string;
  readonly type: 'endpoint.disabled';
  readonly reason: string;
  readonly createdAt: Date;
}

/** The URL failed the scheme or address checks. */
export class EndpointUrlRejectedError extends Error {
  override readonly name = 'EndpointUrlRejectedError';
  constructor(readonly rejection: EndpointUrlRejection) {
    super(`Endpoint URL refused: ${rejection.message}`);
  }
}

export class EndpointNotFoundError extends Error {
  override readonly name = 'EndpointNotFoundError';
  constructor(readonly endpointId: string) {
    super(`No webhook endpoint ${endpointId}`);
  }
}

export interface WebhookEndpoints {
  /** Creates an endpoint; the returned secret is shown this once and stored sealed. */
  create(
    definition: EndpointDefinition,
    now: Date,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  list(): Promise<readonly WebhookEndpoint[]>;
  get(endpointId: string): Promise<WebhookEndpoint>;
  update(endpointId: string, changes: EndpointChanges, now: Date): Promise<WebhookEndpoint>;
  pause(endpointId: string, now: Date): Promise<WebhookEndpoint>;
  /** Resumes a paused endpoint or re-enables a disabled one, with a clean failure record. */
  resume(endpointId: string, now: Date): Promise<WebhookEndpoint>;
  delete(endpointId: string): Promise<void>;
  /** A new secret; the previous ones keep signing beside it for `gracePeriodMs`. */
  rotateSecret(
    endpointId: string,
    gracePeriodMs: number,
    now: Date,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /** The HMAC keys signing for each endpoint at `now`, newest first. */
  signingKeys(
    endpointIds: readonly string[],
    now: Date,
  ): Promise<ReadonlyMap<string, readonly Buffer[]>>;
  notices(limit: number): Promise<readonly EndpointNotice[]>;
}

export interface WebhookEndpointsOptions {
  readonly cipher: SecretCipher;
  readonly addressPolicy: EndpointAddressPolicy;
  readonly resolve?: HostResolver;
}

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string[] | null;
  city_ids: string[] | null;
  status: EndpointStatus;
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
  secrets: { created_at: string; expires_at: string | null }[] | null;
}

const ENDPOINT_COLUMNS = `
  e.id, e.url, e.description, e.event_types, e.city_ids, e.status, e.disabled_reason,
  e.disabled_at, e.failing_since, e.created_at, e.updated_at,
  (SELECT json_agg(json_build_object('created_at', s.created_at, 'expires_at', s.expires_at)
                   ORDER BY s.id DESC)
     FROM webhook_endpoint_secrets s
    WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())) AS secrets`;

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.event_types as WebhookEventType[] | null,
  cityIds: row.city_ids,
  status: row.status,
  disabledReason: row.disabled_reason,
  disabledAt: row.disabled_at,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  secrets: (row.secrets ?? []).map((secret) => ({
    createdAt: new Date(secret.created_at),
    expiresAt: secret.expires_at === null ? null : new Date(secret.expires_at),
  })),
});

const emptyToNull = <T>(values: readonly T[] | null | undefined): T[] | null =>
  values === undefined || values === null || values.length === 0 ? null : [...new Set(values)];

export const createWebhookEndpoints = async (
  sql: SqlClient,
  options: WebhookEndpointsOptions,
): Promise<WebhookEndpoints> => {
  await migrateWebhookSchema(sql);
  const resolve = options.resolve ?? systemResolver;

  const checkedUrl = async (raw: string): Promise<string> => {
    const check = await checkEndpointUrl(raw, options.addressPolicy, resolve);
    if (!check.ok) throw new EndpointUrlRejectedError(check.rejection);
    return check.url.href;
  };

  const load = async (q: SqlQueryable, endpointId: string): Promise<WebhookEndpoint> => {
    const { rows } = await q.query<EndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1`,
      [endpointId],
    );
    const row = rows[0];
    if (row === undefined) throw new EndpointNotFoundError(endpointId);
    return toEndpoint(row);
  };

  const addSecret = async (q: SqlQueryable, endpointId: string, now: Date): Promise<string> => {
    const secret = generateSigningSecret();
    await q.query(
      'INSERT INTO webhook_endpoint_secrets (endpoint_id, sealed_secret, created_at) VALUES ($1, $2, $3)',
      [endpointId, options.cipher.seal(secret, endpointId), now],
    );
    return secret;
  };

  const setStatus = async (
    endpointId: string,
    status: 'active' | 'paused',
    now: Date,
  ): Promise<WebhookEndpoint> => {
    const { rowCount } = await sql.query(
      `UPDATE webhook_endpoints
          SET status = $2, updated_at = $3, disabled_reason = NULL, disabled_at = NULL,
              failing_since = NULL
        WHERE id = $1`,
      [endpointId, status, now],
    );
    if (rowCount === 0) throw new EndpointNotFoundError(endpointId);
    return load(sql, endpointId);
  };

  return {
    async create(definition, now) {
      const url = await checkedUrl(definition.url);
      const id = randomUUID();
      return sql.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO webhook_endpoints
             (id, url, description, event_types, city_ids, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)`,
          [
            id,
            url,
            definition.description ?? null,
            emptyToNull(definition.eventTypes),
            emptyToNull(definition.cityIds),
            now,
          ],
        );
        const secret = await addSecret(tx, id, now);
        return { endpoint: await load(tx, id), secret };
      });
    },

    async list() {
      const { rows } = await sql.query<EndpointRow>(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e ORDER BY e.created_at, e.id`,
      );
      return rows.map(toEndpoint);
    },

    get: (endpointId) => load(sql, endpointId),

    async update(endpointId, changes, now) {
      const url = changes.url === undefined ? undefined : await checkedUrl(changes.url);
      const current = await load(sql, endpointId);
      await sql.query(
        `UPDATE webhook_endpoints
            SET url = $2, description = $3, event_types = $4, city_ids = $5, updated_at = $6
          WHERE id = $1`,
        [
          endpointId,
          url ?? current.url,
          changes.description === undefined ? current.description : changes.description,
          changes.eventTypes === undefined ? current.eventTypes : emptyToNull(changes.eventTypes),
          changes.cityIds === undefined ? current.cityIds : emptyToNull(changes.cityIds),
          now,
        ],
      );
      return load(sql, endpointId);
    },

    pause: (endpointId, now) => setStatus(endpointId, 'paused', now),
    resume: (endpointId, now) => setStatus(endpointId, 'active', now),

    async delete(endpointId) {
      const removed = await sql.transaction(async (tx) => {
        await tx.query(
          `DELETE FROM webhook_attempts a USING webhook_deliveries d
            WHERE a.delivery_id = d.id AND d.endpoint_id = $1`,
          [endpointId],
        );
        await tx.query('DELETE FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId]);
        return tx.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
      });
      if (removed.rowCount === 0) throw new EndpointNotFoundError(endpointId);
    },

    async rotateSecret(endpointId, gracePeriodMs, now) {
      return sql.transaction(async (tx) => {
        await load(tx, endpointId);
        await tx.query(
          `UPDATE webhook_endpoint_secrets SET expires_at = $2
            WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
          [endpointId, new Date(now.getTime() + gracePeriodMs)],
        );
        const secret = await addSecret(tx, endpointId, now);
        await tx.query('UPDATE webhook_endpoints SET updated_at = $2 WHERE id = $1', [
          endpointId,
          now,
        ]);
        return { endpoint: await load(tx, endpointId), secret };
      });
    },

    async signingKeys(endpointIds, now) {
      const keys = new Map<string, Buffer[]>();
      if (endpointIds.length === 0) return keys;
      const { rows } = await sql.query<{ endpoint_id: string; sealed_secret: string }>(
        `SELECT endpoint_id, sealed_secret FROM webhook_endpoint_secrets
          WHERE endpoint_id = ANY($1::uuid[]) AND (expires_at IS NULL OR expires_at > $2)
          ORDER BY id DESC`,
        [[...new Set(endpointIds)], now],
      );
      for (const row of rows) {
        const key = signingKeyOf(options.cipher.open(row.sealed_secret, row.endpoint_id));
        keys.set(row.endpoint_id, [...(keys.get(row.endpoint_id) ?? []), key]);
      }
      return keys;
    },

    async notices(limit) {
      const { rows } = await sql.query<{
        id: string;
        endpoint_id: string;
        type: 'endpoint.disabled';
        reason: string;
        created_at: Date;
      }>(
        `SELECT id, endpoint_id, type, reason, created_at FROM webhook_endpoint_notices
          ORDER BY id DESC LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({
        id: row.id,
        endpointId: row.endpoint_id,
        type: row.type,
        reason: row.reason,
        createdAt: row.created_at,
      }));
    },
  };
};
