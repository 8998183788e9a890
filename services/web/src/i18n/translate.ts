import { messagesEn, type MessageKey, type Messages } from './messages.en';

export type MessageParams = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The user's language as the browser reports it; `en` where there is no browser. */
export const userLocale = (): string =>
  typeof navigator === 'undefined' || navigator.language === '' ? 'en' : navigator.language;

/**
 * A translator over one set of messages: `{name}` in a message is replaced by `params.name`,
 * numbers written in the locale's way. An unknown placeholder is left as it is, so a missing
 * value shows up rather than vanishing.
 */
export const createTranslator =
  (messages: Messages, locale: string): Translate =>
  (key, params) =>
    messages[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      const value = params?.[name];
      if (value === undefined) return placeholder;
      return typeof value === 'number' ? formatNumber(value, locale) : value;
    });

export const formatNumber = (value: number, locale: string = userLocale()): string =>
  new Intl.NumberFormat(locale).format(value);

/** A calendar date (`1956-03-01`) in the locale's way; the day never shifts with the time zone. */
export const formatDate = (isoDate: string, locale: string = userLocale()): string => {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
};

/** An instant (`2024-05-20T10:13:20Z`) in the locale's way and the user's time zone. */
export const formatDateTime = (
  instant: string,
  locale: string = userLocale(),
  timeZone?: string,
): string => {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(date);
};

/** A list (`Culture, Youth and Heritage`) joined in the locale's way. */
export const formatList = (items: readonly string[], locale: string = userLocale()): string =>
  new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);

/** The workspace's translator, in the user's locale. */
export const t: Translate = createTranslator(messagesEn, userLocale());

const hasMessage = (key: string): key is MessageKey => Object.hasOwn(messagesEn, key);

/**
 * The label for a value the API names (a state, an event type, a command): its message where
 * there is one, else the value itself, so a newer server's names still show.
 */
export const labelOf = (prefix: string, value: string): string => {
  const key = `${prefix}.${value}`;
  return hasMessage(key) ? t(key) : value;
};

export const stateLabel = (state: string): string => labelOf('state', state);
export const eventLabel = (eventType: string): string => labelOf('event', eventType);
export const commandLabel = (command: string): string => labelOf('command', command);
export const kindLabel = (kind: string): string => labelOf('kind', kind);
export const areaLabel = (area: string): string => labelOf('area', area);
export const roleLabel = (role: string): string => labelOf('role', role);
export const partyLabel = (party: string): string => labelOf('party', party);
