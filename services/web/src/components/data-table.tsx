import type { ReactNode } from 'react';

export interface TableProps {
  /** The header row: one column label each. */
  readonly columns: readonly ReactNode[];
  /** The body rows (`<tr>`). */
  readonly children: ReactNode;
  /** Whether each row starts with its own header cell: the header row then starts empty. */
  readonly rowHeaders?: boolean | undefined;
  readonly caption?: ReactNode;
  readonly captionId?: string | undefined;
  /** Classes besides `table`. */
  readonly className?: string | undefined;
  readonly testId?: string | undefined;
}

/** A table with a header row of column labels. */
export const Table = ({
  columns,
  children,
  rowHeaders = false,
  caption,
  captionId,
  className,
  testId,
}: TableProps) => (
  <table className={className === undefined ? 'table' : `table ${className}`} data-testid={testId}>
    {caption === undefined ? null : <caption id={captionId}>{caption}</caption>}
    <thead>
      <tr>
        {rowHeaders ? <td /> : null}
        {columns.map((label, index) => (
          <th key={index} scope="col">
            {label}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>{children}</tbody>
  </table>
);

/**
 * A table in a region of its own that scrolls sideways on narrow screens, focusable so the
 * keyboard can scroll it too. The region is labelled by the element `labelledBy` names: the
 * section's heading, or the table's own caption when one is given (it gets that id).
 */
export const DataTable = ({
  labelledBy,
  caption,
  ...table
}: Omit<TableProps, 'captionId'> & { readonly labelledBy: string }) => (
  <div className="table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
    <Table
      {...table}
      caption={caption}
      captionId={caption === undefined ? undefined : labelledBy}
    />
  </div>
);
