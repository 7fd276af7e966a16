// Deleting a group: first say exactly what goes (DeleteGroupPreview), and
// let the user choose whether the entities that are only in this group go
// too. Entities shared with other groups always stay.
import { useEffect, useState } from 'react'
import ConfirmDialog from './ConfirmDialog'
import Dialog from './Dialog'
import ErrorBanner from './ErrorBanner'
import Spinner from './Spinner'
import { api, type DeletePreview } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'
import { entityName, plural } from '../lib/format'

const LIST_MAX = 8

function Names({ names }: { names: string[] }) {
  const shown = names.slice(0, LIST_MAX)
  return (
    <ul className="name-list">
      {shown.map((n, i) => (
        <li key={i}>{n}</li>
      ))}
      {names.length > shown.length && <li className="muted">and {names.length - shown.length} more</li>}
    </ul>
  )
}

export default function DeleteGroupDialog({
  groupId,
  onClose,
  onDeleted,
}: {
  groupId: number
  onClose: () => void
  onDeleted: (p: DeletePreview, withEntities: boolean) => void
}) {
  const [preview, setPreview] = useState<DeletePreview>()
  const [error, setError] = useState<AppError>()
  const [withEntities, setWithEntities] = useState(false)

  useEffect(() => {
    api.deleteGroupPreview(groupId).then(setPreview, (e) => setError(toAppError(e)))
  }, [groupId])

  if (!preview) {
    return (
      <Dialog title="Delete group" onClose={onClose} width="sm" testId="confirm-dialog"
        footer={<button type="button" className="button button-secondary" onClick={onClose}>Cancel</button>}>
        {error ? <ErrorBanner error={error} /> : <Spinner label="Checking what would be deleted…" />}
      </Dialog>
    )
  }

  const orphans = preview.orphanEntities
  const shared = preview.sharedEntities
  return (
    <ConfirmDialog
      title={`Delete “${preview.groupName}”?`}
      confirmLabel={withEntities && orphans.length > 0 ? `Delete group and ${plural(orphans.length, 'entity', 'entities')}` : 'Delete group'}
      onCancel={onClose}
      onConfirm={async () => {
        await api.deleteGroup(groupId, withEntities)
        onDeleted(preview, withEntities)
      }}
    >
      <p>The group itself is removed. This cannot be undone.</p>
      {orphans.length > 0 && (
        <div className="preview-block">
          <p>
            {plural(orphans.length, 'entity is', 'entities are')} only in this group:
          </p>
          <Names names={orphans.map(entityName)} />
          <label className="checkbox">
            <input type="checkbox" checked={withEntities} onChange={(e) => setWithEntities(e.target.checked)} data-testid="delete-orphans" />
            <span>
              Also delete {orphans.length === 1 ? 'this entity' : `these ${orphans.length} entities`}
              {preview.orphanRelationshipCount > 0 &&
                ` and ${plural(preview.orphanRelationshipCount, 'relationship', 'relationships')}`}
              . Otherwise {orphans.length === 1 ? 'it stays' : 'they stay'} in Structura without a group.
            </span>
          </label>
        </div>
      )}
      {shared.length > 0 && (
        <div className="preview-block">
          <p>Kept, because they are also in other groups:</p>
          <Names names={shared.map(entityName)} />
        </div>
      )}
      {orphans.length === 0 && shared.length === 0 && <p className="muted">The group has no entities.</p>}
      {(preview.linked || preview.linkedOrphanCount > 0) && (
        <p className="muted">Nothing in Xero Practice Manager is changed: the linked XPM group and clients stay as they are.</p>
      )}
    </ConfirmDialog>
  )
}
