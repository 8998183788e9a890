import type { HttpApp } from '@twinning/http-kit';

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly token?: string;
  /** Sent as JSON unless it is already a string (sent as is). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON; `undefined` when it is not JSON. */
  readonly json: unknown;
}

/** The same requests, whether injected into an app or sent over a socket. */
export type ApiClient = (request: ApiRequest) => Promise<ApiResponse>;

const headersOf = (request: ApiRequest): Record<string, string> => {
  const headers: Record<string, string> = {};
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  return { ...headers, ...request.headers };
};

const payloadOf = (request: ApiRequest): string | undefined =>
  request.body === undefined
    ? undefined
    : typeof request.body === 'string'
      ? request.body
      : JSON.stringify(request.body);

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

export const injectClient =
  (app: HttpApp): ApiClient =>
  async (request) => {
    const payload = payloadOf(request);
    const response = await app.inject({
      method: request.method,
      url: request.url,
      headers: headersOf(request),
      ...(payload === undefined ? {} : { payload }),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    return {
      status: response.statusCode,
      headers,
      text: response.body,
      json: parsed(response.body),
    };
  };

export const fetchClient =
  (baseUrl: string): ApiClient =>
  async (request) => {
    const payload = payloadOf(request);
    const response = await fetch(new URL(request.url, baseUrl), {
      method: request.method,
      headers: headersOf(request),
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, text, json: parsed(text) };
  };

/** Reads a JSON member path from a response body without trusting its shape. */
export const member = (value: unknown, ...path: readonly (string | number)[]): unknown => {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
};
