import { useEffect, useState } from 'react';
import { hrefOf, parseRoute, type Route } from './routes';

/** The page the address bar names now, following every change of its hash. */
export const useRoute = (): Route => {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
};

export const navigate = (route: Route): void => {
  window.location.hash = hrefOf(route);
};
