import type { CSSProperties, ReactNode } from 'react';

/** A column header: its text (or nodes, e.g. a sort button), with `sort` when the rows are sorted by it. */
export type Column = ReactNode | { header: ReactNode; key: string; sort?: 'ascending' | 'descending' };

export interface DataTableProps {
  /** The header row, in order. */
  columns: Column[];
  /** One `<tr>` per record. */
  children: ReactNode;
  /** The table's own class (`data`, `data-table`, `symptom-table`…). */
  className: string;
  /** The wrapper's class: `table-wrap` (default) or `table-scroll`. */
  wrap?: 'table-wrap' | 'table-scroll';
  /**
   * Makes the wrapper a named, focusable region, so keyboard users can scroll a wide table:
   * `{ label }` names it, `{ labelledBy }` points at the heading that does.
   */
  region?: { label: string } | { labelledBy: string };
  caption?: ReactNode;
  captionClassName?: string;
  captionStyle?: CSSProperties;
  testId?: string;
}

/** A table of records in the console's styles: its scrolling wrapper, optional caption, header row and rows. */
export function DataTable({ columns, children, className, wrap = 'table-wrap', region, caption, captionClassName, captionStyle, testId }: DataTableProps) {
  const regionProps = region
    ? { role: 'region', tabIndex: 0, ...('label' in region ? { 'aria-label': region.label } : { 'aria-labelledby': region.labelledBy }) }
    : {};
  return (
    <div className={wrap} {...regionProps}>
      <table className={className} data-testid={testId}>
        {caption !== undefined && (
          <caption className={captionClassName} style={captionStyle}>
            {caption}
          </caption>
        )}
        <thead>
          <tr>
            {columns.map((column, i) =>
              isHeader(column) ? (
                <th key={column.key} scope="col" aria-sort={column.sort}>
                  {column.header}
                </th>
              ) : (
                <th key={typeof column === 'string' ? column : i} scope="col">
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function isHeader(column: Column): column is { header: ReactNode; key: string; sort?: 'ascending' | 'descending' } {
  return typeof column === 'object' && column !== null && 'header' in column;
}

/** A header cell's text read by screen readers only (an actions column, say). */
export function hiddenHeader(text: string, key = text): Column {
  return { key, header: <span className="visually-hidden">{text}</span> };
}
