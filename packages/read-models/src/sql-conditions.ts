import type { SqlParam } from '@twinning/sql';

/** WHERE clauses built up with their `$n` parameters, so values never enter the SQL text. */
export class SqlConditions {
  readonly params: SqlParam[] = [];
  private readonly clauses: string[] = [];

  /** Binds a value and returns its placeholder. */
  bind(value: SqlParam): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a clause made with placeholders from `bind`. */
  where(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  /** `WHERE a AND b`, or nothing when there is no clause. */
  toSql(): string {
    return this.clauses.length === 0
      ? ''
      : `WHERE ${this.clauses.map((c) => `(${c})`).join(' AND ')}`;
  }
}
