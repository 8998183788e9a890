import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError } from '../api/client';

export interface Loaded<T> {
  /** The latest data; kept while a reload runs, so the page does not lose what it shows. */
  readonly data: T | null;
  readonly error: ApiError | null;
  readonly loading: boolean;
  /** Loads again; resolves when done (errors land in `error`). */
  readonly reload: () => Promise<void>;
}

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError({ status: 0, title: error instanceof Error ? error.message : String(error) });

/** Loads data for a page, again whenever `dependencies` change; a superseded load is dropped. */
export const useLoad = <T>(
  load: (signal: AbortSignal) => Promise<T>,
  dependencies: DependencyList,
): Loaded<T> => {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const current = useRef<AbortController | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async (): Promise<void> => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setLoading(true);
    try {
      const result = await loadRef.current(controller.signal);
      if (controller.signal.aborted) return;
      setData(result);
      setError(null);
    } catch (caught) {
      if (controller.signal.aborted) return;
      setError(asApiError(caught));
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setData(null);
    void run();
    return () => current.current?.abort();
    // The caller names what the load depends on, as for useEffect.
  }, dependencies);

  return { data, error, loading, reload: run };
};
