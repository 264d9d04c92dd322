import type { ReactNode } from "react";

/** One column of a report table: its header and how a row fills its cell. */
export type ReportColumn<R> = [header: string, cell: (row: R) => ReactNode];

/** The figures under a chart, as a plain table (what the browser tests and screen readers read). */
export function ReportTable<R>({
  testId,
  columns,
  rows,
  rowKey,
}: {
  testId: string;
  columns: ReportColumn<R>[];
  rows: R[] | undefined;
  rowKey: (row: R) => string;
}) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          {columns.map(([header]) => (
            <th key={header}>{header}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows?.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map(([header, cell]) => (
              <td key={header}>{cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
