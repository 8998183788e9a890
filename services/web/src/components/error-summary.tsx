import { forwardRef } from 'react';
import { t } from '../i18n/translate';

export interface SummaryItem {
  /** The id of the field to jump to. */
  readonly fieldId: string;
  readonly message: string;
}

/**
 * What is wrong with a form, at its top: each message links to its field. The links move the
 * focus themselves, so the address's hash (the page's route) stays as it is.
 */
export const ErrorSummary = forwardRef<HTMLDivElement, { readonly items: readonly SummaryItem[] }>(
  function ErrorSummary({ items }, ref) {
    return (
      <div
        ref={ref}
        className="alert alert--error"
        role="alert"
        tabIndex={-1}
        aria-labelledby="error-summary-title"
      >
        <h2 id="error-summary-title" className="alert__title">
          {t('validation.summary')}
        </h2>
        <ul>
          {items.map((item) => (
            <li key={item.fieldId}>
              <a
                href={`#${item.fieldId}`}
                onClick={(event) => {
                  event.preventDefault();
                  const field = document.getElementById(item.fieldId);
                  const target =
                    field instanceof HTMLFieldSetElement
                      ? field.querySelector<HTMLElement>('input')
                      : field;
                  target?.focus();
                }}
              >
                {item.message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    );
  },
);
