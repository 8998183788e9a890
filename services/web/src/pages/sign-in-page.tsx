import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { fieldErrorsOf, type Problem } from '../api/problem';
import { ROLES, type DevToken, type SignInConfig } from '../api/types';
import { beginOidcSignIn } from '../auth/oidc-sign-in';
import { sessionOf, type Session } from '../auth/session';
import { ErrorSummary } from '../components/error-summary';
import { FormActions, SelectField, TextField } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { roleLabel, t } from '../i18n/translate';
import { isCityId } from '../validation/rules';

const DevSignIn = ({
  api,
  onSignedIn,
}: {
  readonly api: ApiClient;
  readonly onSignedIn: (session: Session) => void;
}) => {
  const [role, setRole] = useState<string>('clerk');
  const [municipality, setMunicipality] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const [showSummary, setShowSummary] = useState(0);
  useEffect(() => {
    if (showSummary > 0) summary.current?.focus();
  }, [showSummary]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid: Record<string, string> = {};
    if (role === 'clerk' && !isCityId(municipality.trim())) {
      invalid['sign-in-municipality'] = t(
        municipality.trim() === '' ? 'validation.required' : 'validation.cityId',
      );
    }
    if (name.trim() === '') invalid['sign-in-name'] = t('validation.required');
    setErrors(invalid);
    setProblem(null);
    if (Object.keys(invalid).length > 0) {
      setShowSummary((count) => count + 1);
      return;
    }
    try {
      const answer = await api.post<DevToken>('/auth/dev-tokens', {
        body: {
          roles: [role],
          name: name.trim(),
          ...(role === 'clerk' ? { municipality: municipality.trim() } : {}),
        },
      });
      const session = sessionOf(answer.data.token, answer.data.expiresAt);
      if (session !== null) onSignedIn(session);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
      const fields = fieldErrorsOf(error.problem);
      setErrors({
        ...(fields['municipality'] === undefined
          ? {}
          : { 'sign-in-municipality': fields['municipality'] }),
        ...(fields['name'] === undefined ? {} : { 'sign-in-name': fields['name'] }),
      });
    }
  };

  const items = Object.entries(errors).map(([fieldId, message]) => ({ fieldId, message }));
  return (
    <form className="sign-in" noValidate onSubmit={(event) => void submit(event)}>
      <p className="alert alert--info">{t('signIn.dev.notice')}</p>
      {items.length === 0 || problem !== null ? null : <ErrorSummary ref={summary} items={items} />}
      {problem === null ? null : <ProblemAlert problem={problem} />}
      <SelectField
        id="sign-in-role"
        label={t('signIn.role')}
        required
        value={role}
        options={ROLES.map((value) => ({ value, label: roleLabel(value) }))}
        onChange={setRole}
      />
      {role === 'clerk' ? (
        <TextField
          id="sign-in-municipality"
          label={t('signIn.municipality')}
          hint={t('signIn.municipality.hint')}
          required
          width="medium"
          value={municipality}
          error={errors['sign-in-municipality']}
          onChange={setMunicipality}
        />
      ) : null}
      <TextField
        id="sign-in-name"
        label={t('signIn.name')}
        hint={t('signIn.name.hint')}
        required
        width="medium"
        autoComplete="name"
        value={name}
        error={errors['sign-in-name']}
        onChange={setName}
      />
      <FormActions submit={t('signIn.submit')} />
    </form>
  );
};

const OidcSignIn = ({ config }: { readonly config: Extract<SignInConfig, { mode: 'oidc' }> }) => {
  const [state, setState] = useState<'idle' | 'redirecting' | { failed: string }>('idle');
  const start = async () => {
    setState('redirecting');
    try {
      await beginOidcSignIn(config, window.location.hash === '' ? '#/' : window.location.hash);
    } catch (error) {
      setState({ failed: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <div className="sign-in">
      <p>{t('signIn.oidc.notice')}</p>
      {typeof state === 'object' ? (
        <p className="alert alert--error" role="alert">
          {t('signIn.oidc.failed', { detail: state.failed })}
        </p>
      ) : null}
      <button
        type="button"
        className="button"
        disabled={state === 'redirecting'}
        onClick={() => void start()}
      >
        {state === 'redirecting' ? t('signIn.oidc.redirecting') : t('signIn.oidc.submit')}
      </button>
    </div>
  );
};

/** Signing in: the identity provider in production, a development form in standalone mode. */
export const SignInPage = ({
  api,
  config,
  message,
  onSignedIn,
}: {
  readonly api: ApiClient;
  readonly config: SignInConfig;
  /** Why the user is here again (their session ended), or how a sign-in failed. */
  readonly message: string | null;
  readonly onSignedIn: (session: Session) => void;
}) => (
  <>
    <PageHeading>{t('signIn.title')}</PageHeading>
    <p className="lede">{t('signIn.intro')}</p>
    {message === null ? null : (
      <p className="alert alert--warning" role="alert">
        {message}
      </p>
    )}
    {config.mode === 'dev' ? <DevSignIn api={api} onSignedIn={onSignedIn} /> : null}
    {config.mode === 'oidc' ? <OidcSignIn config={config} /> : null}
    {config.mode === 'unavailable' ? (
      <p className="alert alert--error" role="alert">
        {t('signIn.unavailable', { detail: config.detail })}
      </p>
    ) : null}
  </>
);
