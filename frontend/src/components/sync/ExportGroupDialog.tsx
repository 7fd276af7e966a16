// "Export to XPM": create a client group in XPM from a local group that has
// no link, and link the two. XPM needs a first member that already exists
// there; when none does, the dialog says why and what happens later (a push
// will offer to create the clients). A group of the same name in XPM is
// offered as a link instead.
import { useEffect, useState } from 'react'
import { CircleCheck, CloudUpload, Info } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { syncApi, type ExportPreview, type ExportResult, type LinkResult } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { isCodeNeeded } from '../../bridge/connection'
import { useConnection } from '../connection/ConnectionProvider'
import { plural } from '../../lib/format'

export interface ExportGroupDialogProps {
  groupId: number
  groupName: string
  onClose: () => void
  onExported: (r: ExportResult) => void
  onLinked: (r: LinkResult) => void
}

export default function ExportGroupDialog({ groupId, groupName, onClose, onExported, onLinked }: ExportGroupDialogProps) {
  const [preview, setPreview] = useState<ExportPreview>()
  const [loadError, setLoadError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()
  const { askForCode } = useConnection()
  /** XPM has a group of that name (from a refusal): offer link or another. */
  const [clash, setClash] = useState<{ uuid: string; name: string }>()

  useEffect(() => {
    let live = true
    syncApi.exportPreview(groupId).then(
      (p) => live && setPreview(p),
      (e) => live && setLoadError(toAppError(e)),
    )
    return () => {
      live = false
    }
  }, [groupId])

  async function run(f: () => Promise<void>, askCode = true) {
    setBusy(true)
    setError(undefined)
    try {
      await f()
    } catch (e) {
      const err = toAppError(e)
      // A write to XPM after the idle hours needs a two-factor code first:
      // ask for it, then try once more.
      if (askCode && isCodeNeeded(err) && (await askForCode())) return run(f, false)
      if (err.code === 'conflict' && err.fields?.xpmGroupUuid) {
        setClash({ uuid: err.fields.xpmGroupUuid, name: err.fields.xpmGroupName || groupName })
      }
      setError(err)
      setBusy(false)
    }
  }

  const exportIt = (allowSameName: boolean) => run(async () => onExported(await syncApi.exportGroup(groupId, allowSameName)))
  const linkTo = (uuid: string) => run(async () => onLinked(await syncApi.linkToExisting(uuid, groupId)))

  const can = !!preview && preview.canExport && !preview.alreadyLinked
  const inXpm = preview?.members.filter((m) => m.inXpm) ?? []
  const notInXpm = preview?.members.filter((m) => !m.inXpm) ?? []

  return (
    <Dialog
      title={`Export “${groupName}” to XPM`}
      description="Creates a client group of the same name in Xero Practice Manager with the members that are already clients there, and links the two groups."
      onClose={onClose}
      onSubmit={can && !clash ? () => void exportIt(false) : undefined}
      busy={busy}
      width="md"
      testId="export-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {can ? 'Cancel' : 'Close'}
          </button>
          {can && clash && (
            <>
              <button type="button" className="button button-secondary" onClick={() => void exportIt(true)} disabled={busy}>
                Create another group with the same name
              </button>
              <button type="button" className="button button-primary" onClick={() => void linkTo(clash.uuid)} disabled={busy}>
                Link to “{clash.name}” instead
              </button>
            </>
          )}
          {can && !clash && (
            <button type="submit" className="button button-primary" disabled={busy}>
              <CloudUpload size={16} aria-hidden /> {busy ? 'Creating…' : 'Create the group in XPM'}
            </button>
          )}
        </>
      }
    >
      <ErrorBanner error={loadError} />
      <ErrorBanner error={error} />
      {!preview && !loadError && <Spinner />}
      {preview && preview.alreadyLinked && (
        <div className="notice">
          <p className="notice-title">“{preview.localGroupName}” is already linked to an XPM group.</p>
          <p>A local group links to one XPM group only. Unlink it first to export it as a new XPM group.</p>
        </div>
      )}
      {preview && !preview.alreadyLinked && !preview.canExport && (
        <div className="notice" data-testid="export-refused">
          <p className="notice-title">{preview.reason || 'This group cannot be exported yet.'}</p>
          {preview.hint && <p>{preview.hint}</p>}
        </div>
      )}
      {preview && preview.sameName.length > 0 && !clash && (
        <div className="notice notice-info" data-testid="export-same-name">
          <p className="notice-title">
            <Info size={15} aria-hidden /> XPM already has a group named “{preview.sameName[0].name}”.
          </p>
          <p>If it is the same client group, link to it instead of creating a second one.</p>
          <button type="button" className="button button-secondary button-sm" onClick={() => void linkTo(preview.sameName[0].uuid)} disabled={busy}>
            Link to this XPM group instead
          </button>
        </div>
      )}
      {preview && preview.members.length > 0 && (
        <div className="export-members">
          <p className="field-label">
            {plural(inXpm.length, 'member is', 'members are')} already in XPM
            {notInXpm.length > 0 ? `, ${notInXpm.length} not yet` : ''}
          </p>
          <ul className="pick-list">
            {preview.members.map((m) => (
              <li key={m.entityId} className="pick-item">
                <span className="pick-name">{m.name}</span>
                {m.inXpm ? (
                  <span className="pick-meta ok-text">
                    <CircleCheck size={13} aria-hidden /> In XPM{preview.firstMember?.entityId === m.entityId ? ' · added first' : ''}
                  </span>
                ) : (
                  <span className="pick-meta">Not in XPM yet — a push will offer to create it</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  )
}
