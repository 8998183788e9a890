import { useEffect, useRef, type ReactNode } from 'react';
import { t } from '../i18n/translate';

/**
 * A page's `h1`. It takes the focus when the page opens, so that keyboard and screen-reader users
 * start at the top of what changed, and it names the browser tab.
 */
export const PageHeading = ({
  children,
  title,
  id,
}: {
  readonly children: ReactNode;
  readonly id?: string | undefined;
  /** The tab's title, when the heading holds more than plain text. */
  readonly title?: string | undefined;
}) => {
  const heading = useRef<HTMLHeadingElement>(null);
  const text = title ?? (typeof children === 'string' ? children : null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (text !== null) document.title = `${text} – ${t('app.name')}`;
  }, [text]);
  return (
    <h1 ref={heading} id={id} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
};
