import type { KeyValueStorage } from '../auth/session';

/** A storage in memory, standing in for sessionStorage where there is no browser. */
export const memoryStorage = (): KeyValueStorage & { readonly size: () => number } => {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    size: () => items.size,
  };
};
