import type { AgreementView, Party, PartyRole, VersionedTerms } from '../api/types';
import { hrefOf } from '../routing/routes';
import { DataTable } from './data-table';
import { areaLabel, formatDate, formatList, kindLabel, partyLabel, t } from '../i18n/translate';
import type { MessageKey } from '../i18n/messages.en';

const PARTIES: readonly PartyRole[] = ['proposer', 'partner'];

const PartyCard = ({
  role,
  party,
  agreement,
  ownCity,
  headingLevel,
}: {
  readonly role: PartyRole;
  readonly party: Party;
  readonly agreement: AgreementView;
  readonly ownCity: string | null;
  readonly headingLevel: 3 | 4;
}) => {
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  const acceptance = agreement.acceptances[role];
  const approval = agreement.councilApprovals[role];
  const signature = agreement.signatures[role];
  const notYet = t('agreement.party.notYet');
  return (
    <section className="card" aria-labelledby={`party-${role}`}>
      <Heading id={`party-${role}`} className="card__title">
        {partyLabel(role)}: {party.name}
        {party.cityId === ownCity ? ` ${t('agreement.party.yourCity')}` : ''}
      </Heading>
      <dl className="facts">
        <dt>{t('agreement.party.country')}</dt>
        <dd>{party.country}</dd>
        <dt>{t('agreement.party.council')}</dt>
        <dd>{party.councilApprovalRequired ? t('app.yes') : t('app.no')}</dd>
        <dt>{t('agreement.party.accepted')}</dt>
        <dd>
          {acceptance === null
            ? notYet
            : t('agreement.party.acceptedOn', {
                version: String(acceptance.termsVersion),
                date: formatDate(acceptance.acceptedOn),
              })}
        </dd>
        {party.councilApprovalRequired || approval !== null ? (
          <>
            <dt>{t('agreement.party.approved')}</dt>
            <dd>
              {approval === null
                ? notYet
                : t('agreement.party.approvedOn', {
                    reference: approval.resolutionReference,
                    date: formatDate(approval.approvedOn),
                  })}
            </dd>
          </>
        ) : null}
        <dt>{t('agreement.party.signed')}</dt>
        <dd>
          {signature === null
            ? notYet
            : t('agreement.party.signedOn', {
                name: signature.signatory.name,
                title: signature.signatory.title,
                place: signature.place,
                date: formatDate(signature.signedOn),
              })}
        </dd>
      </dl>
      <p>
        <a href={hrefOf({ page: 'city', cityId: party.cityId })}>
          {t('agreement.party.cityPage', { city: party.name })}
        </a>
      </p>
    </section>
  );
};

/** Both parties, and where each stands: acceptance, council approval, signature. */
export const Parties = ({
  agreement,
  ownCity,
  headingLevel = 3,
}: {
  readonly agreement: AgreementView;
  readonly ownCity: string | null;
  readonly headingLevel?: 3 | 4 | undefined;
}) => (
  <div className="cards">
    {PARTIES.map((role) => (
      <PartyCard
        key={role}
        role={role}
        party={agreement[role]}
        agreement={agreement}
        ownCity={ownCity}
        headingLevel={headingLevel}
      />
    ))}
  </div>
);

type TermsRow = {
  readonly label: MessageKey;
  readonly value: (terms: VersionedTerms, entry: TermsEntry) => string;
};
type TermsEntry = AgreementView['termsHistory'][number];

const TERMS_ROWS: readonly TermsRow[] = [
  { label: 'agreement.terms.field.title', value: (terms) => terms.title },
  { label: 'agreement.terms.field.purpose', value: (terms) => terms.purpose },
  {
    label: 'agreement.terms.field.areasOfExchange',
    value: (terms) => formatList(terms.areasOfExchange.map(areaLabel)),
  },
  { label: 'agreement.terms.field.kind', value: (terms) => kindLabel(terms.kind) },
  { label: 'agreement.terms.field.startDate', value: (terms) => formatDate(terms.startDate) },
  {
    label: 'agreement.terms.field.endDate',
    value: (terms) =>
      terms.endDate === undefined ? t('agreement.terms.openEnded') : formatDate(terms.endDate),
  },
  {
    label: 'agreement.terms.field.proposedBy',
    value: (_terms, entry) => partyLabel(entry.proposedBy),
  },
  {
    label: 'agreement.terms.field.proposedOn',
    value: (_terms, entry) => formatDate(entry.proposedOn),
  },
];

/**
 * Every version of the terms side by side, one column each, the current one last; a value that
 * differs from the version before says so in words, not only by colour.
 */
export const TermsVersions = ({ agreement }: { readonly agreement: AgreementView }) => {
  const entries =
    agreement.termsHistory.length === 0
      ? [
          {
            terms: agreement.terms,
            proposedBy: 'proposer' as const,
            proposedOn: agreement.dates.proposedOn,
          },
        ]
      : agreement.termsHistory;
  // The current terms carry renewals' end dates; the history has them as proposed.
  const columns = entries.map((entry, index) =>
    index === entries.length - 1 ? { ...entry, terms: agreement.terms } : entry,
  );
  return (
    <DataTable
      labelledBy="terms-versions-caption"
      className="terms-versions"
      caption={
        <>
          {t('agreement.terms.versions')}
          <span className="table__caption-hint">{t('agreement.terms.versionsCaption')}</span>
        </>
      }
      rowHeaders
      columns={columns.map((entry) =>
        t(
          entry.terms.version === agreement.terms.version
            ? 'agreement.terms.versionCurrent'
            : 'agreement.terms.version',
          { version: String(entry.terms.version) },
        ),
      )}
    >
      {TERMS_ROWS.map((row) => (
        <tr key={row.label}>
          <th scope="row">{t(row.label)}</th>
          {columns.map((entry, index) => {
            const value = row.value(entry.terms, entry);
            const previous = columns[index - 1];
            const changed = previous !== undefined && row.value(previous.terms, previous) !== value;
            return (
              <td key={entry.terms.version} className={changed ? 'changed' : undefined}>
                {value}
                {changed ? <span className="tag">{t('agreement.terms.changed')}</span> : null}
              </td>
            );
          })}
        </tr>
      ))}
    </DataTable>
  );
};

const DATE_KEYS = [
  'proposedOn',
  'agreedOn',
  'signedOn',
  'activatedOn',
  'suspendedOn',
  'reinstatedOn',
  'renewedOn',
  'endedOn',
] as const;

/** The dates the agreement has reached so far. */
export const AgreementDates = ({ agreement }: { readonly agreement: AgreementView }) => (
  <dl className="facts">
    {DATE_KEYS.flatMap((key) => {
      const value = agreement.dates[key];
      return value === null
        ? []
        : [
            <dt key={`${key}-term`}>{t(`agreement.dates.${key}`)}</dt>,
            <dd key={`${key}-value`}>{formatDate(value)}</dd>,
          ];
    })}
  </dl>
);
