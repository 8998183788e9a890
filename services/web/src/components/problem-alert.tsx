import { forwardRef, type ReactNode } from 'react';
import type { Problem } from '../api/problem';
import type { Loaded } from '../app/use-load';
import { t } from '../i18n/translate';

/** An error answer of the API, as its title and detail say it, with what may be done about it. */
export const ProblemAlert = forwardRef<
  HTMLDivElement,
  {
    readonly problem: Problem;
    readonly children?: ReactNode;
  }
>(function ProblemAlert({ problem, children }, ref) {
  return (
    <div ref={ref} className="alert alert--error" role="alert" tabIndex={-1}>
      <h2 className="alert__title">{problem.title}</h2>
      {problem.detail === undefined ? null : <p>{problem.detail}</p>}
      {problem.reason === undefined ? null : (
        <p className="alert__meta">{t('problem.reason', { reason: problem.reason })}</p>
      )}
      {problem.errors === undefined || problem.errors.length === 0 ? null : (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.path}:${error.message}`}>
              <code>{error.path}</code>: {error.message}
            </li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
});

/** A load that failed: the problem and a way to try again. */
export const LoadFailed = ({
  problem,
  retry,
}: {
  readonly problem: Problem;
  readonly retry: () => void;
}) => (
  <ProblemAlert problem={problem}>
    <button type="button" className="button button--secondary" onClick={retry}>
      {t('app.retry')}
    </button>
  </ProblemAlert>
);

export const Loading = () => (
  <p className="loading" role="status">
    {t('app.loading')}
  </p>
);

/** What a load shows until its data is there: that it is loading, or why it failed and a retry. */
export const NotLoaded = ({
  load,
}: {
  readonly load: Pick<Loaded<unknown>, 'error' | 'reload'>;
}) =>
  load.error === null ? (
    <Loading />
  ) : (
    <LoadFailed problem={load.error.problem} retry={() => void load.reload()} />
  );
