/** An error answer of the API: `application/problem+json` (RFC 9457) with a stable code. */
export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code?: string;
  readonly reason?: string;
  readonly errors?: readonly FieldProblem[];
  readonly allowedCommands?: readonly string[];
}

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const fieldProblemsOf = (value: unknown): FieldProblem[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { path, message } = item as Record<string, unknown>;
    return typeof path === 'string' && typeof message === 'string' ? [{ path, message }] : [];
  });
};

/**
 * The problem an error answer describes, from whatever its body holds: a proxy's HTML page or an
 * empty body still gives a problem with the status and a title.
 */
export const problemOf = (status: number, body: unknown, fallbackTitle: string): Problem => {
  const document =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail = textOf(document['detail']);
  const code = textOf(document['code']);
  const reason = textOf(document['reason']);
  const errors = fieldProblemsOf(document['errors']);
  const allowed = document['allowedCommands'];
  return {
    status,
    title: textOf(document['title']) ?? fallbackTitle,
    ...(detail === undefined ? {} : { detail }),
    ...(code === undefined ? {} : { code }),
    ...(reason === undefined ? {} : { reason }),
    ...(errors === undefined ? {} : { errors }),
    ...(Array.isArray(allowed)
      ? { allowedCommands: allowed.filter((item): item is string => typeof item === 'string') }
      : {}),
  };
};

/**
 * Field errors keyed by the form's own field names: the API's `body.terms.title` is the form's
 * `terms.title`. Errors outside the prefix are left to the problem's summary.
 */
export const fieldErrorsOf = (
  problem: Problem,
  prefix = 'body.',
): Readonly<Record<string, string>> => {
  const errors: Record<string, string> = {};
  for (const { path, message } of problem.errors ?? []) {
    if (!path.startsWith(prefix)) continue;
    const field = path.slice(prefix.length);
    errors[field] = errors[field] === undefined ? message : `${errors[field]}; ${message}`;
  }
  return errors;
};

/** Field errors the form has no field for, to show in the summary instead. */
export const unplacedFieldErrors = (
  problem: Problem,
  fields: readonly string[],
  prefix = 'body.',
): readonly FieldProblem[] =>
  (problem.errors ?? []).filter(
    ({ path }) => !path.startsWith(prefix) || !fields.includes(path.slice(prefix.length)),
  );
