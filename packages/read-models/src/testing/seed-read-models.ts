import { READ_SCHEMA, projectionSchemaOf } from '@twinning/projections';
import type { SqlClient, SqlParam } from '@twinning/sql';
import type { AgreementSummary } from '../agreement-summary.js';
import {
  AGREEMENT_COLUMNS,
  agreementValues,
  agreementsProjection,
} from '../agreements-projection.js';

/**
 * Creates the agreements read model's schema and `read.*` views as the runner would, without an
 * event log: for benchmarks that need many rows fast. Refuses a database that already has it.
 */
export const createAgreementsReadModel = async (sql: SqlClient): Promise<string> => {
  const schema = projectionSchemaOf(agreementsProjection);
  await sql.transaction(async (tx) => {
    await tx.exec(`CREATE SCHEMA "${schema}"; CREATE SCHEMA IF NOT EXISTS ${READ_SCHEMA};`);
    await agreementsProjection.setup(tx, schema);
    for (const table of agreementsProjection.tables) {
      await tx.exec(
        `CREATE VIEW ${READ_SCHEMA}."${table}" AS SELECT * FROM "${schema}"."${table}"`,
      );
    }
  });
  return schema;
};

/** Writes agreement rows straight into the read model, many per statement. */
export const writeAgreementSummaries = async (
  sql: SqlClient,
  schema: string,
  summaries: readonly AgreementSummary[],
): Promise<void> => {
  const width = AGREEMENT_COLUMNS.length;
  // PostgreSQL allows 65,535 parameters per statement.
  const rowsPerStatement = Math.floor(65_000 / width);
  for (let start = 0; start < summaries.length; start += rowsPerStatement) {
    const chunk = summaries.slice(start, start + rowsPerStatement);
    const params: SqlParam[] = chunk.flatMap(agreementValues);
    const rows = chunk.map(
      (_, row) =>
        `(${AGREEMENT_COLUMNS.map((_, column) => `$${row * width + column + 1}${column === 1 ? '::jsonb' : ''}`).join(', ')})`,
    );
    await sql.query(
      `INSERT INTO "${schema}".agreements (${AGREEMENT_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`,
      params,
    );
  }
  await sql.exec(`ANALYZE "${schema}".agreements`);
};
