// Confirmation before anything destructive. Focus starts on Cancel (the safe
// choice); Esc cancels; the confirm button says exactly what happens. If the
// action fails, the dialog stays open and shows why.
import { useState, type ReactNode } from 'react'
import Dialog from './Dialog'
import ErrorBanner from './ErrorBanner'
import { AppError, toAppError } from '../bridge/errors'

export interface ConfirmDialogProps {
  title: string
  children?: ReactNode
  confirmLabel: string
  /** Runs the action; a rejection keeps the dialog open with the error. */
  onConfirm: () => Promise<void> | void
  onCancel: () => void
  destructive?: boolean
  testId?: string
}

export default function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  destructive = true,
  testId = 'confirm-dialog',
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  async function confirm() {
    setBusy(true)
    setError(undefined)
    try {
      await onConfirm()
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={title}
      onClose={onCancel}
      width="sm"
      busy={busy}
      testId={testId}
      initialFocus="[data-cancel]"
      onSubmit={confirm}
      footer={
        <>
          <button type="button" className="button button-secondary" data-cancel onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className={`button ${destructive ? 'button-danger' : 'button-primary'}`} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
      <div className="confirm-text">{children}</div>
    </Dialog>
  )
}
