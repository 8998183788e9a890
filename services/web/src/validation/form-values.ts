import type { MessageKey } from '../i18n/messages.en';

/** A form's values by field name (`terms.title`, `signatory.name`), as the inputs hold them. */
export type FieldValue = string | boolean | readonly string[];
export type FormValues = Readonly<Record<string, FieldValue>>;

/** What is wrong with each field, as a message to show beside it. */
export type FieldErrors = Readonly<Record<string, MessageKey>>;

/** A text field's value as typed: what its input shows. */
export const inputOf = (values: FormValues, field: string): string => {
  const value = values[field];
  return typeof value === 'string' ? value : '';
};

/** A text field's value as checked and sent: without surrounding spaces. */
export const textOf = (values: FormValues, field: string): string => inputOf(values, field).trim();

export const listOf = (values: FormValues, field: string): readonly string[] => {
  const value = values[field];
  return Array.isArray(value) ? (value as readonly string[]) : [];
};

export const flagOf = (values: FormValues, field: string): boolean => values[field] === true;

/** `{ 'signatory.name': 'x' }` becomes `{ signatory: { name: 'x' } }`. */
export const nestFields = (flat: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const nested: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split('.');
    const last = keys.pop();
    if (last === undefined) continue;
    let target = nested;
    for (const key of keys) {
      const next = target[key];
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
        target = next as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        target[key] = created;
        target = created;
      }
    }
    target[last] = value;
  }
  return nested;
};
