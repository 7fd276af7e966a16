// "Link to existing…": pick one of the local groups that has no link yet;
// the backend's best name match is preselected. A refusal (the 1:1 rule)
// stays in the dialog with the backend's explanation.
import { useEffect, useMemo, useState } from 'react'
import { Search } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { syncApi, type LinkResult, type Suggestions, type XPMGroupRow } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { plural } from '../../lib/format'

export interface LinkExistingDialogProps {
  row: XPMGroupRow
  onClose: () => void
  onLinked: (r: LinkResult) => void
}

export default function LinkExistingDialog({ row, onClose, onLinked }: LinkExistingDialogProps) {
  const [sugg, setSugg] = useState<Suggestions>()
  const [loadError, setLoadError] = useState<AppError>()
  const [choice, setChoice] = useState<number>()
  const [query, setQuery] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  useEffect(() => {
    let live = true
    syncApi.suggestLocalGroup(row.uuid).then(
      (s) => {
        if (!live) return
        setSugg(s)
        if (s.best) setChoice(s.best.id)
      },
      (e) => live && setLoadError(toAppError(e)),
    )
    return () => {
      live = false
    }
  }, [row.uuid])

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase()
    const all = sugg?.candidates ?? []
    return q ? all.filter((c) => c.name.toLowerCase().includes(q)) : all
  }, [sugg, query])

  async function submit() {
    if (!choice) {
      setError(new AppError({ code: 'validation', message: 'Choose the local group to link to.' }))
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      onLinked(await syncApi.linkToExisting(row.uuid, choice))
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  const chosen = sugg?.candidates.find((c) => c.id === choice)
  const none = sugg !== undefined && sugg.candidates.length === 0

  return (
    <Dialog
      title={`Link “${row.name}” to a local group`}
      description="Choose the group you already keep in Structura for this client. Nothing is copied yet: after linking you can pull its clients and relationships."
      onClose={onClose}
      onSubmit={none ? undefined : submit}
      busy={busy}
      width="md"
      testId="link-existing-dialog"
      initialFocus={sugg?.best ? 'input[type="radio"]:checked' : undefined}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {none ? 'Close' : 'Cancel'}
          </button>
          {!none && (
            <button type="submit" className="button button-primary" disabled={busy || !sugg || !choice}>
              {busy ? 'Linking…' : chosen ? `Link to “${chosen.name}”` : 'Link'}
            </button>
          )}
        </>
      }
    >
      <ErrorBanner error={loadError} />
      <ErrorBanner error={error} />
      {!sugg && !loadError && <Spinner label="Looking for matching groups…" />}
      {none && (
        <div className="notice" data-testid="no-candidates">
          <p className="notice-title">Every local group is already linked to an XPM group.</p>
          <p>
            An XPM group links to one local group only, and a local group to one XPM group. Use <strong>Link as new</strong>{' '}
            to create a local group for “{row.name}”, or unlink another group first.
          </p>
        </div>
      )}
      {sugg && !none && (
        <>
          {sugg.candidates.length > 6 && (
            <div className="search search-block">
              <Search size={16} aria-hidden className="search-icon" />
              <input
                className="input search-input"
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Filter local groups"
                aria-label="Filter local groups"
              />
            </div>
          )}
          <div className="pick-list radio-list" role="radiogroup" aria-label="Local groups not linked yet" data-testid="candidate-list">
            {shown.map((c) => (
              <label key={c.id} className={`pick-item radio-item${choice === c.id ? ' radio-item-on' : ''}`} data-testid="candidate">
                <input type="radio" name="local-group" value={c.id} checked={choice === c.id} onChange={() => setChoice(c.id)} />
                <span className="pick-name">{c.name}</span>
                {sugg.best?.id === c.id && <span className="badge badge-accent">Best match</span>}
                <span className="pick-meta">{plural(c.entityCount, 'entity', 'entities')}</span>
              </label>
            ))}
            {shown.length === 0 && <p className="pick-empty">No local group matches “{query}”.</p>}
          </div>
          <p className="dialog-note">
            {sugg.best
              ? `“${sugg.best.name}” is the closest name, so it is chosen for you. Only groups that are not linked yet are listed: an XPM group links to exactly one local group.`
              : 'No local group has a similar name. Only groups that are not linked yet are listed: an XPM group links to exactly one local group.'}
          </p>
        </>
      )}
    </Dialog>
  )
}
