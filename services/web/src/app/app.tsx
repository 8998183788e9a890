import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createApiClient } from '../api/client';
import type { LifecycleChart, SignInConfig } from '../api/types';
import { completeOidcSignIn } from '../auth/oidc-sign-in';
import { callbackOutcomeOf, cleanCallbackUrl } from '../auth/pending-sign-in';
import { clearSession, loadSession, saveSession, type Session } from '../auth/session';
import { PageHeading } from '../components/page-heading';
import { Loading } from '../components/problem-alert';
import { t } from '../i18n/translate';
import { AgreementPage } from '../pages/agreement-page';
import { AgreementsPage } from '../pages/agreements-page';
import { AuditPage } from '../pages/audit-page';
import { CityPage } from '../pages/city-page';
import { ProposePage } from '../pages/propose-page';
import { SignInPage } from '../pages/sign-in-page';
import { WebhooksPage } from '../pages/webhooks-page';
import { hrefOf, type Route } from '../routing/routes';
import { useRoute } from '../routing/use-route';
import { AppProvider, type AppServices } from './app-context';
import { Layout } from './layout';

const PageFor = ({ route }: { readonly route: Route }) => {
  switch (route.page) {
    case 'agreements':
      return <AgreementsPage filters={route.filters} />;
    case 'propose':
      return <ProposePage />;
    case 'agreement':
      return <AgreementPage agreementId={route.agreementId} />;
    case 'audit':
      return <AuditPage agreementId={route.agreementId} />;
    case 'city':
      return <CityPage cityId={route.cityId} />;
    case 'webhooks':
      return <WebhooksPage endpointId={route.endpointId} />;
    case 'not-found':
      return (
        <>
          <PageHeading>{t('app.notFound.title')}</PageHeading>
          <p>{t('app.notFound.body', { path: route.path })}</p>
          <p>
            <a href={hrefOf({ page: 'agreements', filters: {} })}>{t('app.backToAgreements')}</a>
          </p>
        </>
      );
    default: {
      const _exhaustive: never = route;
      return _exhaustive;
    }
  }
};

type ConfigState = { readonly kind: 'loading' } | { readonly kind: 'failed' } | SignInConfig;

/** The workspace: signs the user in, then shows the page the address names. */
export const App = () => {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(() =>
    loadSession(window.sessionStorage, new Date()),
  );
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const [message, setMessage] = useState<string | null>(null);
  const [config, setConfig] = useState<ConfigState>({ kind: 'loading' });
  const [lifecycle, setLifecycle] = useState<LifecycleChart | null>(null);
  const [announcement, setAnnouncement] = useState<{
    readonly message: string;
    readonly shownOn: string | null;
  } | null>(null);

  const endSession = useCallback((why: string | null) => {
    clearSession(window.sessionStorage);
    setSession(null);
    setMessage(why);
  }, []);
  const api = useMemo(
    () =>
      createApiClient({
        token: () => sessionRef.current?.token ?? null,
        onUnauthenticated: () => endSession(t('session.ended')),
      }),
    [endSession],
  );
  const signIn = useCallback((signedIn: Session) => {
    saveSession(window.sessionStorage, signedIn);
    setMessage(null);
    setSession(signedIn);
  }, []);

  // How to sign in, and the way back from the identity provider (once: a code is used once).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const load = async () => {
      let answer: SignInConfig;
      try {
        answer = (await api.get<SignInConfig>('/auth/config')).data;
      } catch {
        setConfig({ kind: 'failed' });
        return;
      }
      const url = new URL(window.location.href);
      const outcome = callbackOutcomeOf(url);
      if (outcome.kind !== 'none') {
        window.history.replaceState(null, '', cleanCallbackUrl(url, window.location.hash || '#/'));
      }
      if (outcome.kind === 'error') {
        setMessage(t('signIn.oidc.failed', { detail: outcome.description ?? outcome.error }));
      }
      if (outcome.kind === 'code' && answer.mode === 'oidc') {
        try {
          const { session: signedIn, returnTo } = await completeOidcSignIn(answer, url);
          window.history.replaceState(null, '', cleanCallbackUrl(url, returnTo));
          window.dispatchEvent(new HashChangeEvent('hashchange'));
          signIn(signedIn);
        } catch (error) {
          setMessage(
            t('signIn.oidc.failed', {
              detail: error instanceof Error ? error.message : String(error),
            }),
          );
        }
      }
      setConfig(answer);
    };
    void load();
  }, [api, signIn]);

  // The session ends when its token expires, whether or not a request notices first.
  useEffect(() => {
    if (session === null) return;
    const remaining = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(() => endSession(t('session.ended')), Math.max(0, remaining));
    return () => clearTimeout(timer);
  }, [session, endSession]);

  useEffect(() => {
    if (session === null || lifecycle !== null) return;
    api
      .get<LifecycleChart>('/lifecycle')
      .then(({ data }) => setLifecycle(data))
      .catch((error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
      });
  }, [api, session, lifecycle]);

  // An announcement is shown on the page that follows it, and goes with the next change.
  const routeKey = hrefOf(route);
  useEffect(() => {
    setAnnouncement((current) => {
      if (current === null) return null;
      if (current.shownOn === null) return { ...current, shownOn: routeKey };
      return current.shownOn === routeKey ? current : null;
    });
  }, [routeKey]);

  const services: AppServices | null = useMemo(
    () =>
      session === null
        ? null
        : {
            api,
            session,
            lifecycle,
            signOut: () => endSession(null),
            announce: (text) =>
              setAnnouncement(text === null ? null : { message: text, shownOn: null }),
          },
    [api, session, lifecycle, endSession],
  );

  let content;
  if (services !== null) {
    content = (
      <AppProvider value={services}>
        {announcement?.shownOn === routeKey ? (
          <p className="alert alert--success" role="status">
            {announcement.message}
          </p>
        ) : null}
        <PageFor key={routeKey} route={route} />
      </AppProvider>
    );
  } else if ('kind' in config) {
    content =
      config.kind === 'loading' ? (
        <Loading />
      ) : (
        <>
          <PageHeading>{t('signIn.title')}</PageHeading>
          <p className="alert alert--error" role="alert">
            {t('signIn.configFailed')}
          </p>
        </>
      );
  } else {
    content = <SignInPage api={api} config={config} message={message} onSignedIn={signIn} />;
  }

  return (
    <Layout session={session} route={route} onSignOut={() => endSession(null)}>
      {content}
    </Layout>
  );
};
