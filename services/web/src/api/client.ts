import { t } from '../i18n/translate';
import { problemOf, type Problem } from './problem';

/** An answer the API refused, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }
}

export interface Answer<T> {
  readonly data: T;
  readonly status: number;
  /** The entity tag (`"3"`), sent back as `If-Match` to act on what was read. */
  readonly etag: string | null;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly ifMatch?: string;
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

export interface Download {
  readonly blob: Blob;
  readonly fileName: string;
}

export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<Answer<T>>;
  post<T>(path: string, options?: RequestOptions): Promise<Answer<T>>;
  patch<T>(path: string, options?: RequestOptions): Promise<Answer<T>>;
  delete(path: string, options?: RequestOptions): Promise<Answer<null>>;
  download(path: string, options?: RequestOptions): Promise<Download>;
}

export interface ApiClientOptions {
  /** The bearer token of the signed-in user, if any. */
  readonly token: () => string | null;
  /** Called when the API says the token is no longer good (401). */
  readonly onUnauthenticated: () => void;
  readonly fetch?: typeof fetch;
}

const urlOf = (path: string, query: RequestOptions['query']): string => {
  const entries = Object.entries(query ?? {}).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
  );
  return entries.length === 0 ? path : `${path}?${new URLSearchParams(entries).toString()}`;
};

const fileNameOf = (disposition: string | null, fallback: string): string =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? fallback;

const parseBody = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** Talks to the API on the page's own origin, only through its public HTTP interface. */
export const createApiClient = (options: ApiClientOptions): ApiClient => {
  const send = async (method: string, path: string, request: RequestOptions = {}) => {
    const headers = new Headers({ accept: 'application/json' });
    const token = options.token();
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    if (request.ifMatch !== undefined) headers.set('if-match', request.ifMatch);
    if (request.idempotencyKey !== undefined) {
      headers.set('idempotency-key', request.idempotencyKey);
    }
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(urlOf(path, request.query), {
        method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
    } catch (error) {
      if (request.signal?.aborted === true) throw error;
      throw new ApiError({ status: 0, title: t('problem.network') });
    }
    if (!response.ok) {
      const problem = problemOf(
        response.status,
        await parseBody(response),
        t('problem.unexpected', { status: String(response.status) }),
      );
      if (response.status === 401 && token !== null) options.onUnauthenticated();
      throw new ApiError(problem);
    }
    return response;
  };

  const answer = async <T>(response: Response): Promise<Answer<T>> => ({
    // The API's answers are described by its OpenAPI document; they are trusted as typed here.
    data: (await parseBody(response)) as T,
    status: response.status,
    etag: response.headers.get('etag'),
  });

  return {
    get: async (path, request) => answer(await send('GET', path, request)),
    post: async (path, request) => answer(await send('POST', path, request)),
    patch: async (path, request) => answer(await send('PATCH', path, request)),
    delete: async (path, request) => answer<null>(await send('DELETE', path, request)),
    download: async (path, request) => {
      const response = await send('GET', path, request);
      const fallback = path.split('/').pop() ?? 'download';
      return {
        blob: await response.blob(),
        fileName: fileNameOf(response.headers.get('content-disposition'), fallback),
      };
    },
  };
};
