// A plain, readable table: sticky header, hover, optional clickable rows and
// row actions that stay reachable by keyboard.
import type { ReactNode } from 'react'

export interface Column<T> {
  key: string
  header: string
  render: (row: T) => ReactNode
  className?: string
  /** Right-align numbers. */
  numeric?: boolean
}

export interface DataTableProps<T> {
  columns: Column<T>[]
  rows: T[]
  rowKey: (row: T) => string | number
  onRowClick?: (row: T) => void
  actions?: (row: T) => ReactNode
  caption: string
  testId?: string
  rowTestId?: string
  rowClassName?: (row: T) => string | undefined
}

export default function DataTable<T>({
  columns,
  rows,
  rowKey,
  onRowClick,
  actions,
  caption,
  testId,
  rowTestId,
  rowClassName,
}: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={[c.className, c.numeric ? 'num' : ''].filter(Boolean).join(' ') || undefined}>
                {c.header}
              </th>
            ))}
            {actions && (
              <th scope="col" className="actions-col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={rowKey(r)}
              data-testid={rowTestId}
              className={[onRowClick ? 'clickable' : '', rowClassName?.(r) ?? ''].filter(Boolean).join(' ') || undefined}
              onClick={
                onRowClick
                  ? (e) => {
                      if ((e.target as HTMLElement).closest('button, a, input, select')) return
                      onRowClick(r)
                    }
                  : undefined
              }
            >
              {columns.map((c) => (
                <td key={c.key} className={[c.className, c.numeric ? 'num' : ''].filter(Boolean).join(' ') || undefined}>
                  {c.render(r)}
                </td>
              ))}
              {actions && <td className="actions-col">{actions(r)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
