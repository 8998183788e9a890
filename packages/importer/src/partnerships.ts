import { AgreementIdSchema, type AgreementId } from '@twinning/domain';
import { v5 as uuidv5 } from 'uuid';
import type { LinkedCity, TwinningLink } from './twinning-links.js';

/** Namespace of imported agreement ids (uuid v5 of the sorted city pair). */
export const IMPORTED_AGREEMENT_NAMESPACE = '0f6d8f53-3c4e-4b8e-9d41-7a2b9c6e1f20';

/** One partnership between two cities, however many rows (A→B, B→A, repeats) name it. */
export interface Partnership {
  readonly agreementId: AgreementId;
  /** The city whose id sorts first: a stable choice, whatever order the rows come in. */
  readonly proposer: LinkedCity;
  readonly partner: LinkedCity;
  /** Lines of the file that name this pair. */
  readonly lines: readonly number[];
}

/** The same pair always gets the same id, so a re-run finds what an earlier run created. */
export const agreementIdOfPair = (a: string, b: string): AgreementId => {
  const [first, second] = a < b ? [a, b] : [b, a];
  return AgreementIdSchema.parse(uuidv5(`${first}|${second}`, IMPORTED_AGREEMENT_NAMESPACE));
};

/**
 * Merges links naming the same pair of cities into one partnership, in the order each pair first
 * appears. A city's name is taken from its first appearance.
 */
export const partnershipsOf = (links: readonly TwinningLink[]): Partnership[] => {
  const names = new Map<string, LinkedCity>();
  const byPair = new Map<AgreementId, { proposer: string; partner: string; lines: number[] }>();
  for (const link of links) {
    for (const city of [link.from, link.to]) {
      if (!names.has(city.cityId)) names.set(city.cityId, city);
    }
    const agreementId = agreementIdOfPair(link.from.cityId, link.to.cityId);
    const known = byPair.get(agreementId);
    if (known !== undefined) {
      known.lines.push(link.line);
      continue;
    }
    const [proposer, partner] =
      link.from.cityId < link.to.cityId
        ? [link.from.cityId, link.to.cityId]
        : [link.to.cityId, link.from.cityId];
    byPair.set(agreementId, { proposer, partner, lines: [link.line] });
  }
  return [...byPair].map(([agreementId, pair]) => ({
    agreementId,
    proposer: names.get(pair.proposer) as LinkedCity,
    partner: names.get(pair.partner) as LinkedCity,
    lines: pair.lines,
  }));
};
