// Unlink, after a confirmation that says exactly what is kept (everything
// local) and what goes (the link and the record of the last sync).
import { useEffect, useState } from 'react'
import ConfirmDialog from '../ConfirmDialog'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { syncApi, type UnlinkPreview, type UnlinkResult } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'

export interface UnlinkDialogProps {
  localGroupId: number
  /** For the title while the preview loads. */
  name: string
  onClose: () => void
  onUnlinked: (r: UnlinkResult) => void
}

export default function UnlinkDialog({ localGroupId, name, onClose, onUnlinked }: UnlinkDialogProps) {
  const [preview, setPreview] = useState<UnlinkPreview>()
  const [error, setError] = useState<AppError>()

  useEffect(() => {
    let live = true
    syncApi.unlinkPreview(localGroupId).then(
      (p) => live && setPreview(p),
      (e) => live && setError(toAppError(e)),
    )
    return () => {
      live = false
    }
  }, [localGroupId])

  if (!preview) {
    return (
      <Dialog title={`Unlink “${name}”?`} onClose={onClose} width="sm" testId="unlink-dialog"
        footer={<button type="button" className="button button-secondary" onClick={onClose}>Close</button>}>
        {error ? <ErrorBanner error={error} /> : <Spinner label="Checking what the link holds…" />}
      </Dialog>
    )
  }

  return (
    <ConfirmDialog
      title={`Unlink “${preview.localGroupName}” from XPM?`}
      confirmLabel="Unlink"
      destructive={false}
      testId="unlink-dialog"
      onCancel={onClose}
      onConfirm={async () => onUnlinked(await syncApi.unlink(localGroupId))}
    >
      <p data-testid="unlink-message">{preview.message}</p>
      <p className="muted">You can link it again at any time; a pull then compares both sides afresh.</p>
    </ConfirmDialog>
  )
}
