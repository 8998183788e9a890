/**
 * The workspace's pages, addressed by the URL's hash (`/#/agreements/…`) so that no page path
 * can ever clash with a path the API owns (`/agreements`, `/audit`, `/admin`, …).
 */
export type Route =
  | { readonly page: 'agreements'; readonly filters: Readonly<Record<string, string>> }
  | { readonly page: 'propose' }
  | { readonly page: 'agreement'; readonly agreementId: string }
  | { readonly page: 'audit'; readonly agreementId: string }
  | { readonly page: 'city'; readonly cityId: string | null }
  | { readonly page: 'webhooks'; readonly endpointId: string | null }
  | { readonly page: 'not-found'; readonly path: string };

const segmentPattern = /^[A-Za-z0-9._~-]+$/;

const decoded = (segment: string | undefined): string | null => {
  if (segment === undefined) return null;
  try {
    const value = decodeURIComponent(segment);
    return segmentPattern.test(value) ? value : null;
  } catch {
    return null;
  }
};

/** The page a hash (`#/agreements/123?x=y`, or empty) names. */
export const parseRoute = (hash: string): Route => {
  const withoutMark = hash.startsWith('#') ? hash.slice(1) : hash;
  const [pathPart = '', queryPart = ''] = withoutMark.split('?', 2);
  const path = pathPart === '' ? '/' : pathPart;
  const segments = path.split('/').filter((segment) => segment !== '');
  const notFound: Route = { page: 'not-found', path };
  const [first, second, third, ...rest] = segments;

  if (first === undefined) return { page: 'agreements', filters: {} };
  if (first === 'agreements') {
    if (second === undefined) {
      return { page: 'agreements', filters: Object.fromEntries(new URLSearchParams(queryPart)) };
    }
    if (second === 'new' && third === undefined) return { page: 'propose' };
    const agreementId = decoded(second);
    if (agreementId === null || rest.length > 0) return notFound;
    if (third === undefined) return { page: 'agreement', agreementId };
    if (third === 'audit') return { page: 'audit', agreementId };
    return notFound;
  }
  if (first === 'cities' && third === undefined) {
    if (second === undefined) return { page: 'city', cityId: null };
    const cityId = decoded(second);
    return cityId === null ? notFound : { page: 'city', cityId };
  }
  if (first === 'admin' && second === 'webhooks' && rest.length === 0) {
    if (third === undefined) return { page: 'webhooks', endpointId: null };
    const endpointId = decoded(third);
    return endpointId === null ? notFound : { page: 'webhooks', endpointId };
  }
  return notFound;
};

/** The hash link to a page: `hrefOf(parseRoute(h))` names the same page as `h`. */
export const hrefOf = (route: Route): string => {
  switch (route.page) {
    case 'agreements': {
      const query = new URLSearchParams(
        Object.entries(route.filters).filter(([, value]) => value !== ''),
      ).toString();
      return query === '' ? '#/agreements' : `#/agreements?${query}`;
    }
    case 'propose':
      return '#/agreements/new';
    case 'agreement':
      return `#/agreements/${encodeURIComponent(route.agreementId)}`;
    case 'audit':
      return `#/agreements/${encodeURIComponent(route.agreementId)}/audit`;
    case 'city':
      return route.cityId === null ? '#/cities' : `#/cities/${encodeURIComponent(route.cityId)}`;
    case 'webhooks':
      return route.endpointId === null
        ? '#/admin/webhooks'
        : `#/admin/webhooks/${encodeURIComponent(route.endpointId)}`;
    case 'not-found':
      return `#${route.path}`;
    default: {
      const _exhaustive: never = route;
      return _exhaustive;
    }
  }
};
