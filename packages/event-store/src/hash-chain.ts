import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from './types.js';

/** `prevHash` of every stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashedContent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/**
 * The canonical encoding that an event's hash covers: the RFC 8785 (JSON Canonicalization
 * Scheme) serialisation of `{ streamId, revision, type, data, metadata }`, with the revision as a
 * decimal string. Metadata fields that carry the chain itself (`prevHash`, `hash`) are excluded.
 */
export const canonicalEventEncoding = (content: HashedContent): string => {
  const { prevHash: _prev, hash: _hash, ...metadata } = content.metadata;
  const encoded = canonicalize({
    streamId: content.streamId,
    revision: content.revision.toString(),
    type: content.type,
    data: content.data,
    metadata,
  });
  if (encoded === undefined) throw new TypeError('event content is not JSON-encodable');
  return encoded;
};

/** `hash = hex(SHA-256(prevHash + canonicalEventEncoding(event)))`. */
export const chainHash = (prevHash: string, content: HashedContent): string =>
  createHash('sha256').update(prevHash).update(canonicalEventEncoding(content)).digest('hex');
