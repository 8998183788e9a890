import type { StoredEvent } from '../api/types';
import { eventLabel, formatDate, formatDateTime, t } from '../i18n/translate';

const BUSINESS_DATE_FIELDS = [
  'proposedOn',
  'acceptedOn',
  'agreedOn',
  'approvedOn',
  'signedOn',
  'effectiveOn',
  'suspendedOn',
  'reinstatedOn',
  'renewedOn',
  'expiredOn',
  'terminatedOn',
  'withdrawnOn',
  'declinedOn',
];

/** The day the act took place: the event's own `…On` date. */
export const businessDateOf = (event: StoredEvent): string | null => {
  for (const field of BUSINESS_DATE_FIELDS) {
    const value = event.data[field];
    if (typeof value === 'string') return value;
  }
  return event.metadata.occurredAt ?? null;
};

export const actorOf = (event: StoredEvent): string => {
  const actor = event.metadata.actor;
  if (actor === undefined) return '';
  return actor.displayName ?? actor.subject;
};

/**
 * The agreement's events, oldest first: what happened, on which business date, when it was
 * recorded and by whom. In the audit view the events after the chosen point are marked as such.
 */
export const Timeline = ({
  events,
  upToRevision,
  onSelectRevision,
  selectLabel,
}: {
  readonly events: readonly StoredEvent[];
  /** Events after this revision are shown as not yet part of the record at the chosen point. */
  readonly upToRevision?: number | null | undefined;
  readonly onSelectRevision?: ((revision: number) => void) | undefined;
  readonly selectLabel?: ((revision: number) => string) | undefined;
}) => {
  if (events.length === 0) return <p>{t('timeline.empty')}</p>;
  return (
    <ol className="timeline">
      {events.map((event) => {
        const revision = Number(event.revision);
        const after =
          upToRevision !== undefined && (upToRevision === null || revision > upToRevision);
        const businessDate = businessDateOf(event);
        const recordedAt = event.metadata.recordedAt ?? event.storedAt;
        return (
          <li
            key={event.id}
            className={after ? 'timeline__event timeline__event--after' : 'timeline__event'}
            data-revision={event.revision}
          >
            <p className="timeline__what">
              <span className="timeline__revision">
                {t('timeline.revision', { revision: event.revision })}
              </span>{' '}
              <strong>{eventLabel(event.type)}</strong>
              {after ? <span className="timeline__tag"> ({t('timeline.notYet')})</span> : null}
            </p>
            <p className="timeline__when">
              {businessDate === null ? null : (
                <>{t('timeline.businessDate', { date: formatDate(businessDate) })}, </>
              )}
              {t('timeline.recordedAt', { dateTime: formatDateTime(recordedAt) })}{' '}
              {actorOf(event) === '' ? null : t('timeline.by', { actor: actorOf(event) })}
            </p>
            {onSelectRevision === undefined ? null : (
              <button
                type="button"
                className="button button--link"
                onClick={() => onSelectRevision(revision)}
              >
                {selectLabel?.(revision) ?? event.revision}
              </button>
            )}
          </li>
        );
      })}
    </ol>
  );
};
