import type { AgreementId, AgreementKind, LifecycleState } from '@twinning/domain';
import type { SqlQueryable } from '@twinning/sql';
import type { PartyItem } from './agreement-item.js';
import type { StoredSummary } from './agreements-projection.js';

/** One partnership seen from a city: the partner and the agreement's state. */
export interface CityPartnership {
  readonly agreementId: AgreementId;
  readonly title: string;
  readonly kind: AgreementKind;
  readonly state: LifecycleState;
  /** Whether this city proposed the agreement. */
  readonly role: 'proposer' | 'partner';
  readonly partner: PartyItem;
  readonly activatedOn: string | null;
}

export interface CityPage {
  readonly city: PartyItem;
  readonly partnerships: CityPartnership[];
}

/**
 * A city and every agreement it is party to, ordered by partner name; `undefined` when the city
 * is party to no agreement (the read models know cities only through their agreements).
 */
export const findCity = async (
  sql: SqlQueryable,
  cityId: string,
): Promise<CityPage | undefined> => {
  const { rows } = await sql.query<{ summary: StoredSummary }>(
    `SELECT summary FROM read.agreements WHERE proposer_city_id = $1
     UNION ALL
     SELECT summary FROM read.agreements WHERE partner_city_id = $1`,
    [cityId],
  );
  if (rows.length === 0) return undefined;
  const partnerships = rows.map(({ summary }): CityPartnership & { seenOn: string } => {
    const role = summary.proposer.cityId === cityId ? 'proposer' : 'partner';
    const other = role === 'proposer' ? summary.partner : summary.proposer;
    return {
      agreementId: summary.agreementId,
      title: summary.title,
      kind: summary.kind,
      state: summary.state,
      role,
      partner: { cityId: other.cityId, name: other.name, country: other.country },
      activatedOn: summary.activatedOn,
      seenOn: summary.lastPosition,
    };
  });
  // The name the city was last given (Stalingrad became Volgograd) is the one shown.
  const latest = rows.reduce((a, b) =>
    BigInt(b.summary.lastPosition) > BigInt(a.summary.lastPosition) ? b : a,
  ).summary;
  const self = latest.proposer.cityId === cityId ? latest.proposer : latest.partner;
  return {
    city: { cityId: self.cityId, name: self.name, country: self.country },
    partnerships: partnerships
      .sort(
        (a, b) =>
          a.partner.name.localeCompare(b.partner.name, 'en') ||
          a.agreementId.localeCompare(b.agreementId),
      )
      .map(({ seenOn: _seenOn, ...partnership }) => partnership),
  };
};

export const MAX_NETWORK_DEPTH = 4;

/** The states in which two cities are partners: signed, in force, or suspended (not ended). */
export const PARTNERSHIP_STATES: readonly LifecycleState[] = ['signed', 'active', 'suspended'];

export interface NetworkNode extends PartyItem {
  /** Hops from the city the network was asked for (0 for that city). */
  readonly depth: number;
}

export interface NetworkEdge {
  readonly agreementId: AgreementId;
  readonly from: string;
  readonly to: string;
  readonly state: LifecycleState;
}

export interface CityNetwork {
  readonly cityId: string;
  readonly depth: number;
  readonly nodes: NetworkNode[];
  readonly edges: NetworkEdge[];
  /** True when more cities were reachable than `maxNodes`: the nearest were kept. */
  readonly truncated: boolean;
}

/**
 * The cities reachable from a city through partnerships, up to `depth` hops (at most 4), with
 * the partnerships between them. A recursive CTE walks the graph breadth-first; `UNION` keeps
 * each (city, depth) once, so cycles cost nothing and the walk ends at the depth bound.
 */
export const cityNetwork = async (
  sql: SqlQueryable,
  request: { readonly cityId: string; readonly depth: number; readonly maxNodes: number },
): Promise<CityNetwork | undefined> => {
  const depth = Math.min(Math.max(Math.trunc(request.depth), 0), MAX_NETWORK_DEPTH);
  const { rows: nodes } = await sql.query<{
    city_id: string;
    depth: number;
    name: string | null;
    country: string | null;
  }>(
    `WITH RECURSIVE
       reached (city_id, depth) AS (
         SELECT $1::text, 0
         UNION
         SELECT CASE WHEN agreement.proposer_city_id = reached.city_id
                     THEN agreement.partner_city_id ELSE agreement.proposer_city_id END,
                reached.depth + 1
           FROM reached
           JOIN read.agreements AS agreement
             ON agreement.proposer_city_id = reached.city_id
             OR agreement.partner_city_id = reached.city_id
          WHERE reached.depth < $2 AND agreement.state = ANY($3)
       ),
       nearest AS (
         SELECT city_id, min(depth) AS depth FROM reached GROUP BY city_id
       )
     SELECT nearest.city_id, nearest.depth, names.name, names.country
       FROM nearest
       LEFT JOIN LATERAL (
         SELECT CASE WHEN proposer_city_id = nearest.city_id
                     THEN summary->'proposer' ELSE summary->'partner' END ->> 'name' AS name,
                CASE WHEN proposer_city_id = nearest.city_id
                     THEN proposer_country ELSE partner_country END AS country
           FROM read.agreements
          WHERE proposer_city_id = nearest.city_id OR partner_city_id = nearest.city_id
          ORDER BY last_position DESC
          LIMIT 1
       ) names ON true
      ORDER BY nearest.depth, names.name, nearest.city_id
      LIMIT $4`,
    [request.cityId, depth, PARTNERSHIP_STATES, request.maxNodes + 1],
  );
  const first = nodes[0];
  if (first === undefined || first.name === null) return undefined;
  const kept = nodes.slice(0, request.maxNodes);
  const depthOf = new Map(kept.map((node) => [node.city_id, Number(node.depth)]));
  const cityIds = [...depthOf.keys()];
  const { rows: edges } = await sql.query<{
    agreement_id: string;
    proposer_city_id: string;
    partner_city_id: string;
    state: LifecycleState;
  }>(
    `SELECT agreement_id, proposer_city_id, partner_city_id, state
       FROM read.agreements
      WHERE state = ANY($2) AND proposer_city_id = ANY($1) AND partner_city_id = ANY($1)
      ORDER BY agreement_id`,
    [cityIds, PARTNERSHIP_STATES],
  );
  return {
    cityId: request.cityId,
    depth,
    nodes: kept.map((node) => ({
      cityId: node.city_id as PartyItem['cityId'],
      name: node.name ?? node.city_id,
      country: node.country ?? '',
      depth: Number(node.depth),
    })),
    // Only partnerships the walk followed: between two cities at the outer edge, none was.
    edges: edges
      .filter(
        (edge) =>
          Math.min(
            depthOf.get(edge.proposer_city_id) ?? depth,
            depthOf.get(edge.partner_city_id) ?? depth,
          ) < depth,
      )
      .map((edge) => ({
        agreementId: edge.agreement_id as AgreementId,
        from: edge.proposer_city_id,
        to: edge.partner_city_id,
        state: edge.state,
      })),
    truncated: nodes.length > request.maxNodes,
  };
};
