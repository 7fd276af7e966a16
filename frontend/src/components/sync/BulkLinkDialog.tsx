// "Link selected": one line per XPM group with where it goes — a new local
// group of the same name, or an existing one (the best name match is
// prefilled, each local group offered once). Starting it runs a background
// job; the screen follows its progress.
import { useEffect, useState } from 'react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { syncApi, type JobInfo, type Suggestions, type XPMGroupRow } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { plural } from '../../lib/format'

/** Above this many groups, suggestions are not looked up one by one: every
 * group is linked as new unless changed. */
const MAX_SUGGESTIONS = 200

export interface BulkLinkDialogProps {
  rows: XPMGroupRow[]
  onClose: () => void
  onStarted: (job: JobInfo) => void
}

export default function BulkLinkDialog({ rows, onClose, onStarted }: BulkLinkDialogProps) {
  const [sugg, setSugg] = useState<Record<string, Suggestions>>()
  const [targets, setTargets] = useState<Record<string, number>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  useEffect(() => {
    let live = true
    if (rows.length > MAX_SUGGESTIONS) {
      setSugg({})
      return
    }
    Promise.all(rows.map((r) => syncApi.suggestLocalGroup(r.uuid).catch(() => undefined))).then((all) => {
      if (!live) return
      const byUuid: Record<string, Suggestions> = {}
      const pre: Record<string, number> = {}
      const taken = new Set<number>()
      all.forEach((s, i) => {
        if (!s) return
        byUuid[rows[i].uuid] = s
        if (s.best && !taken.has(s.best.id)) {
          pre[rows[i].uuid] = s.best.id
          taken.add(s.best.id)
        }
      })
      setSugg(byUuid)
      setTargets(pre)
    })
    return () => {
      live = false
    }
  }, [rows])

  const used = new Map<number, string>()
  for (const [uuid, id] of Object.entries(targets)) if (id) used.set(id, uuid)
  const toExisting = Object.values(targets).filter(Boolean).length

  async function submit() {
    setBusy(true)
    setError(undefined)
    try {
      const job = await syncApi.startBulkLink(rows.map((r) => ({ xpmGroupUuid: r.uuid, localGroupId: targets[r.uuid] ?? 0 })))
      onStarted(job)
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={`Link ${plural(rows.length, 'XPM group', 'XPM groups')}`}
      description="Each XPM group is linked to one local group. Linking copies nothing: pull each group afterwards to bring in its clients and relationships."
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      width="lg"
      testId="bulk-link-dialog"
      footer={
        <>
          <span className="dialog-footer-note">
            {toExisting > 0
              ? `${plural(rows.length - toExisting, 'new local group', 'new local groups')}, ${toExisting} linked to groups you have`
              : `${plural(rows.length, 'new local group', 'new local groups')} will be created`}
          </span>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !sugg}>
            {busy ? 'Starting…' : `Link ${plural(rows.length, 'group', 'groups')}`}
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
      {!sugg ? (
        <Spinner label="Looking for matching local groups…" />
      ) : (
        <div className="bulk-list" data-testid="bulk-list">
          {rows.map((r) => {
            const s = sugg[r.uuid]
            const value = targets[r.uuid] ?? 0
            return (
              <div className="bulk-line" key={r.uuid} data-testid="bulk-line">
                <span className="bulk-name">{r.name}</span>
                <span className="bulk-arrow" aria-hidden>→</span>
                <select
                  className="input"
                  aria-label={`Local group for ${r.name}`}
                  value={value}
                  onChange={(e) => setTargets((t) => ({ ...t, [r.uuid]: Number(e.target.value) }))}
                >
                  <option value={0}>New local group “{r.name}”</option>
                  {(s?.candidates ?? []).map((c) => (
                    <option key={c.id} value={c.id} disabled={used.has(c.id) && used.get(c.id) !== r.uuid}>
                      {c.name}
                      {s?.best?.id === c.id ? ' (best match)' : ''}
                      {used.has(c.id) && used.get(c.id) !== r.uuid ? ' (chosen for another group)' : ''}
                    </option>
                  ))}
                </select>
              </div>
            )
          })}
        </div>
      )}
    </Dialog>
  )
}
