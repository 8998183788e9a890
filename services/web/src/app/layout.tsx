import type { ReactNode } from 'react';
import type { Session } from '../auth/session';
import { hasRole } from '../auth/session';
import { roleLabel, t } from '../i18n/translate';
import { hrefOf, type Route } from '../routing/routes';

interface NavItem {
  readonly label: string;
  readonly route: Route;
  readonly current: boolean;
}

const navItemsFor = (session: Session, route: Route): NavItem[] => {
  const items: NavItem[] = [
    {
      label: t('nav.agreements'),
      route: { page: 'agreements', filters: {} },
      current: ['agreements', 'agreement', 'audit'].includes(route.page),
    },
  ];
  if (hasRole(session, 'clerk')) {
    items.push({
      label: t('nav.propose'),
      route: { page: 'propose' },
      current: route.page === 'propose',
    });
  }
  items.push({
    label: t('nav.cities'),
    route: { page: 'city', cityId: null },
    current: route.page === 'city',
  });
  if (hasRole(session, 'admin')) {
    items.push({
      label: t('nav.webhooks'),
      route: { page: 'webhooks', endpointId: null },
      current: route.page === 'webhooks',
    });
  }
  return items;
};

/** The frame of every page: a skip link, the banner with navigation and who is signed in, main. */
export const Layout = ({
  session,
  route,
  onSignOut,
  children,
}: {
  readonly session: Session | null;
  readonly route: Route;
  readonly onSignOut: () => void;
  readonly children: ReactNode;
}) => (
  <>
    <a
      className="skip-link"
      href="#main"
      onClick={(event) => {
        // The hash names the page; the skip link moves the focus without changing it.
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      {t('app.skipToContent')}
    </a>
    <header className="banner">
      <div className="banner__inner">
        <p className="banner__name">
          <a href={hrefOf({ page: 'agreements', filters: {} })}>{t('app.name')}</a>
          <span className="banner__tagline">{t('app.tagline')}</span>
        </p>
        {session === null ? null : (
          <div className="banner__session">
            <p data-testid="signed-in-as">
              {t('session.signedInAs', { name: session.claims.name })}
              <br />
              <span className="banner__roles">
                {session.claims.municipality === null
                  ? t('session.rolesLabel', {
                      roles: session.claims.roles.map(roleLabel).join(', '),
                    })
                  : t('session.clerkOf', { city: session.claims.municipality })}
              </span>
            </p>
            <button type="button" className="button button--inverse" onClick={onSignOut}>
              {t('session.signOut')}
            </button>
          </div>
        )}
      </div>
      {session === null ? null : (
        <nav className="nav" aria-label={t('app.navigation')}>
          <ul className="nav__list">
            {navItemsFor(session, route).map((item) => (
              <li key={item.label}>
                <a
                  className="nav__link"
                  href={hrefOf(item.route)}
                  aria-current={item.current ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </header>
    <main id="main" className="main" tabIndex={-1}>
      {children}
    </main>
  </>
);
