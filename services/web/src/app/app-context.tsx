import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { LifecycleChart } from '../api/types';
import type { Session } from '../auth/session';

export interface AppServices {
  readonly api: ApiClient;
  readonly session: Session;
  readonly signOut: () => void;
  /** The lifecycle chart (`GET /lifecycle`), loaded once; `null` until it is there. */
  readonly lifecycle: LifecycleChart | null;
  /** A message for the next page to announce (after a proposal, say); `null` withdraws it. */
  readonly announce: (message: string | null) => void;
}

const AppContext = createContext<AppServices | null>(null);

export const AppProvider = AppContext.Provider;

/** What every signed-in page uses: the API client, the session, the lifecycle chart. */
export const useApp = (): AppServices => {
  const services = useContext(AppContext);
  if (services === null) throw new Error('useApp is used outside the signed-in workspace');
  return services;
};
