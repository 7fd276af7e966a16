// An error not tied to one input: what happened and what to do next.
import { TriangleAlert } from 'lucide-react'
import type { AppError } from '../bridge/errors'

export default function ErrorBanner({
  error,
  onRetry,
  onDismiss,
}: {
  error: Pick<AppError, 'message' | 'hint'> | undefined
  onRetry?: () => void
  onDismiss?: () => void
}) {
  if (!error) return null
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <TriangleAlert size={18} aria-hidden className="banner-icon" />
      <div className="banner-text">
        <p className="banner-message">{error.message}</p>
        {error.hint && <p className="banner-hint">{error.hint}</p>}
      </div>
      {(onRetry || onDismiss) && (
        <div className="banner-actions">
          {onRetry && (
            <button type="button" className="button button-secondary button-sm" onClick={onRetry}>
              Try again
            </button>
          )}
          {onDismiss && (
            <button type="button" className="button button-ghost button-sm" onClick={onDismiss}>
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  )
}
