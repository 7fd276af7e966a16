// Before a pull starts: which groups, what it costs (XPM calls and time at
// the current limits, computed by the backend's read plan), and the promise
// that nothing is written before the review. A pull already open is named,
// with "Open it" and "Discard it".
import { useEffect, useState } from 'react'
import { CloudDownload, TriangleAlert } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { OPEN_PULL_STATES, syncApi, type PullEstimate, type PullInfo, type PullRequest } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { plural } from '../../lib/format'
import { memberCount, when } from './syncFormat'

export interface PullStartDialogProps {
  request: Partial<PullRequest>
  onClose: () => void
  onStarted: (p: PullInfo) => void
  /** Opens an existing pull (the one already open). */
  onOpenPull: (id: number) => void
}

export default function PullStartDialog({ request, onClose, onStarted, onOpenPull }: PullStartDialogProps) {
  const [fullRead, setFullRead] = useState(false)
  const [est, setEst] = useState<PullEstimate>()
  const [estError, setEstError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()
  const [openPull, setOpenPull] = useState<PullInfo>()

  const reqKey = JSON.stringify(request)
  useEffect(() => {
    let live = true
    setEst(undefined)
    setEstError(undefined)
    syncApi.estimatePull({ ...request, fullRead }).then(
      (e) => live && setEst(e),
      (e) => live && setEstError(toAppError(e)),
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reqKey, fullRead])

  async function start() {
    setBusy(true)
    setError(undefined)
    setOpenPull(undefined)
    try {
      onStarted(await syncApi.startPull({ ...request, fullRead }))
    } catch (e) {
      const err = toAppError(e)
      setError(err)
      setBusy(false)
      if (err.code === 'conflict') {
        const open = (await syncApi.listPulls(5).catch(() => [])).find((p) => OPEN_PULL_STATES.includes(p.state))
        setOpenPull(open)
      }
    }
  }

  async function discardOpen() {
    if (!openPull) return
    setBusy(true)
    try {
      await syncApi.discardPull(openPull.id)
      setOpenPull(undefined)
      setError(undefined)
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  const groups = est?.groups ?? []
  const title = groups.length === 1 ? `Pull “${groups[0].localName || groups[0].name}” from XPM` : request.all ? 'Pull every linked group from XPM' : `Pull ${plural(groups.length, 'group', 'groups')} from XPM`

  return (
    <Dialog
      title={est ? title : 'Pull from XPM'}
      description="Structura reads the clients and relationships of these groups from Xero Practice Manager and shows you what would change. Nothing is written until you review it and choose Apply."
      onClose={onClose}
      onSubmit={est ? start : undefined}
      busy={busy}
      width="md"
      testId="pull-start-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          {est && (
            <button type="submit" className="button button-primary" disabled={busy} data-testid="pull-start">
              <CloudDownload size={16} aria-hidden /> {busy ? 'Starting…' : 'Start reading'}
            </button>
          )}
        </>
      }
    >
      <ErrorBanner error={estError} />
      {error && (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          <TriangleAlert size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">{error.message}</p>
            {error.hint && <p className="banner-hint">{error.hint}</p>}
          </div>
          {openPull && (
            <div className="banner-actions">
              <button type="button" className="button button-secondary button-sm" onClick={() => onOpenPull(openPull.id)}>
                Open it
              </button>
              {openPull.state === 'review' && (
                <button type="button" className="button button-ghost button-sm" onClick={discardOpen} disabled={busy}>
                  Discard it
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {!est && !estError && <Spinner label="Working out what the pull needs…" />}
      {est && (
        <>
          <div className="estimate" data-testid="pull-estimate">
            <p className="estimate-message">{est.message}</p>
            {est.readPlan.reason && <p className="estimate-reason">{est.readPlan.reason}</p>}
            {!est.fitsToday && (
              <p className="estimate-warning">
                <TriangleAlert size={14} aria-hidden /> Not enough XPM calls are left today: the pull will pause and carry on
                when tomorrow's calls are available.
              </p>
            )}
          </div>
          <ul className="pull-groups" aria-label="Groups to pull">
            {groups.slice(0, 50).map((g) => (
              <li key={g.xpmUuid}>
                <span className="pull-group-name">{g.localName || g.name}</span>
                <span className="pick-meta">
                  {g.members >= 0 ? `${memberCount(g.members)} members · ` : ''}
                  {g.lastPulledAt ? `last pulled ${when(g.lastPulledAt)}` : 'never pulled'}
                </span>
              </li>
            ))}
            {groups.length > 50 && <li className="muted">and {groups.length - 50} more</li>}
          </ul>
          <label className="checkbox">
            <input type="checkbox" checked={fullRead} onChange={(e) => setFullRead(e.target.checked)} disabled={busy} />
            <span>Read everything again, not only what changed since the last pull</span>
          </label>
        </>
      )}
    </Dialog>
  )
}
