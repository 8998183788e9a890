import { z } from 'zod';

/** A cursor the caller sent back does not belong to this query, or was altered. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/**
 * Keyset pagination: the cursor names the sort and the last row's sort key and id, so the next
 * page starts strictly after it whatever was inserted meanwhile. Opaque to callers (base64url
 * JSON); its contents are checked when it comes back, never trusted.
 */
const CursorSchema = z.object({
  sort: z.string().min(1),
  key: z.union([z.string(), z.number()]),
  id: z.string().min(1),
});
export type Cursor = z.infer<typeof CursorSchema>;

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

export const decodeCursor = (text: string, expectedSort: string): Cursor => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this API returned');
  }
  const cursor = CursorSchema.safeParse(parsed);
  if (!cursor.success) throw new InvalidCursorError('the cursor is not one this API returned');
  if (cursor.data.sort !== expectedSort) {
    throw new InvalidCursorError(
      `the cursor belongs to sort "${cursor.data.sort}", not "${expectedSort}": start again without a cursor`,
    );
  }
  return cursor.data;
};
