import type { CityId } from '@twinning/domain';
import { runMigrations, type SqlClient } from '@twinning/sql';

/**
 * Which cities have clerks of their own in the system. The lifecycle needs it: a clerk may record
 * a partner city's acts (with evidence) only while that city has no clerks to record them itself.
 * A city becomes represented when one of its clerks first acts, or when an admin says so.
 */
export interface MunicipalityDirectory {
  citiesWithClerks(cityIds: readonly CityId[]): Promise<readonly CityId[]>;
  /** Records that a clerk of this city is active; idempotent and cheap to call per command. */
  recordClerk(cityId: CityId, seenAt: Date): Promise<void>;
  list(): Promise<readonly Municipality[]>;
  /** Sets whether the city has clerks (an admin's decision); returns the stored row. */
  set(cityId: CityId, hasClerks: boolean, at: Date): Promise<Municipality>;
}

export interface Municipality {
  readonly cityId: CityId;
  readonly hasClerks: boolean;
  readonly updatedAt: Date;
}

const MIGRATIONS = [
  {
    version: 1,
    name: 'municipalities',
    sql: `CREATE TABLE IF NOT EXISTS municipalities (
            city_id    text PRIMARY KEY,
            has_clerks boolean NOT NULL,
            updated_at timestamptz NOT NULL
          );`,
  },
];

interface MunicipalityRow {
  city_id: string;
  has_clerks: boolean;
  updated_at: Date;
}

const toMunicipality = (row: MunicipalityRow): Municipality => ({
  cityId: row.city_id as CityId,
  hasClerks: row.has_clerks,
  updatedAt: row.updated_at,
});

export const createSqlMunicipalityDirectory = async (
  sql: SqlClient,
): Promise<MunicipalityDirectory> => {
  await runMigrations(sql, { name: 'api', migrations: MIGRATIONS });
  // Clerks act far more often than a city gains its first clerk: remember what is known.
  const known = new Set<string>();
  return {
    async citiesWithClerks(cityIds) {
      if (cityIds.length === 0) return [];
      const { rows } = await sql.query<{ city_id: string }>(
        'SELECT city_id FROM municipalities WHERE city_id = ANY($1) AND has_clerks',
        [cityIds],
      );
      const represented = new Set(rows.map((row) => row.city_id));
      return cityIds.filter((cityId) => represented.has(cityId));
    },
    async recordClerk(cityId, seenAt) {
      if (known.has(cityId)) return;
      await sql.query(
        `INSERT INTO municipalities (city_id, has_clerks, updated_at) VALUES ($1, true, $2)
         ON CONFLICT (city_id) DO UPDATE SET has_clerks = true, updated_at = EXCLUDED.updated_at
         WHERE NOT municipalities.has_clerks`,
        [cityId, seenAt],
      );
      known.add(cityId);
    },
    async list() {
      const { rows } = await sql.query<MunicipalityRow>(
        'SELECT city_id, has_clerks, updated_at FROM municipalities ORDER BY city_id',
      );
      return rows.map(toMunicipality);
    },
    async set(cityId, hasClerks, at) {
      const { rows } = await sql.query<MunicipalityRow>(
        `INSERT INTO municipalities (city_id, has_clerks, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (city_id) DO UPDATE SET has_clerks = EXCLUDED.has_clerks, updated_at = EXCLUDED.updated_at
         RETURNING city_id, has_clerks, updated_at`,
        [cityId, hasClerks, at],
      );
      known.delete(cityId);
      const row = rows[0];
      if (row === undefined) throw new Error(`municipality ${cityId} was not stored`);
      return toMunicipality(row);
    },
  };
};
