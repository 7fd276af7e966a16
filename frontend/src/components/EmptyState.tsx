// What an empty list means and what to do about it.
import type { ReactNode } from 'react'

export default function EmptyState({
  icon,
  title,
  children,
  action,
  compact,
  testId,
}: {
  icon?: ReactNode
  title: string
  children?: ReactNode
  action?: ReactNode
  compact?: boolean
  testId?: string
}) {
  return (
    <div className={`empty${compact ? ' empty-compact' : ''}`} data-testid={testId}>
      {icon && <div className="empty-icon" aria-hidden>{icon}</div>}
      <h3 className="empty-title">{title}</h3>
      {children && <div className="empty-text">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  )
}
