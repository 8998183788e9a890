import { READ_SCHEMA, projectionSchemaOf } from '@twinning/projections';
import type { SqlClient } from '@twinning/sql';
import type { AgreementSummary } from '../agreement-summary.js';
import { agreementsProjection, writeAgreements } from '../agreements-projection.js';

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
  const rowsPerStatement = 5_000;
  for (let start = 0; start < summaries.length; start += rowsPerStatement) {
    await writeAgreements(sql, schema, summaries.slice(start, start + rowsPerStatement));
  }
  await sql.exec(`ANALYZE "${schema}".agreements`);
};
