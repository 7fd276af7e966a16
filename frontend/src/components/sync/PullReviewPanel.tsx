// The review of a pull, before anything is written: counts at the top (to
// create, to update, to link, need your input), the backend's one-line
// summary, the items by filter and group with their decisions, and one
// primary button, "Apply N changes", disabled while a decision is missing.
// Every decision is recorded by the backend and the review recomputed there,
// without calling XPM again.
import { useCallback, useEffect, useRef, useState } from 'react'
import { CircleCheck, ListChecks, Search, TriangleAlert } from 'lucide-react'
import ConfirmDialog from '../ConfirmDialog'
import EmptyState from '../EmptyState'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import ReviewItemCard from './ReviewItemCard'
import { syncApi, type Decision, type PullInfo, type PullReview, type ReviewSummary } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { kindLabel, plural } from '../../lib/format'
import { useDebounced } from '../../lib/useDebounced'

type Filter = '' | 'needInput' | 'changes' | 'flagged'

const PAGE = 100

export interface PullReviewPanelProps {
  pull: PullInfo
  /** The pull after Apply or Discard started or ended it. */
  onChanged: (p: PullInfo) => void
}

/** The header tiles, as docs/pull.md defines them. */
export function summaryTiles(s: ReviewSummary) {
  return [
    { key: 'create', label: 'To create', n: s.entities.create, hint: 'new entities' },
    { key: 'update', label: 'To update', n: s.entities.update + s.relationships.update, hint: 'entities and relationships' },
    { key: 'link', label: 'To link', n: s.entities.link + s.relationships.link, hint: 'already in Structura' },
    { key: 'input', label: 'Need your input', n: s.needInput, hint: s.needInput > 0 ? 'decide before applying' : 'nothing to decide' },
  ]
}

export function applyLabel(s: ReviewSummary): string {
  if (s.changes === 0) return 'Finish (no changes)'
  return `Apply ${plural(s.changes, 'change', 'changes')}`
}

function firstFilter(s: ReviewSummary | undefined): Filter {
  if (!s) return ''
  if (s.needInput > 0) return 'needInput'
  if (s.changes > 0) return 'changes'
  return ''
}

export default function PullReviewPanel({ pull, onChanged }: PullReviewPanelProps) {
  const [filter, setFilter] = useState<Filter>(() => firstFilter(pull.summary))
  const [groupUuid, setGroupUuid] = useState('')
  const [search, setSearch] = useState('')
  const s = useDebounced(search.trim(), 200)
  const [review, setReview] = useState<PullReview>()
  const [summary, setSummary] = useState<ReviewSummary | undefined>(pull.summary)
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [loadingMore, setLoadingMore] = useState(false)
  const [confirmDiscard, setConfirmDiscard] = useState(false)
  const seq = useRef(0)

  const load = useCallback(async () => {
    const n = ++seq.current
    try {
      const r = await syncApi.pullReview(pull.id, { filter, groupUuid, search: s, offset: 0, limit: PAGE })
      if (n !== seq.current) return
      setReview(r)
      setSummary(r.summary)
      setError(undefined)
    } catch (e) {
      if (n === seq.current) setError(toAppError(e))
    }
  }, [pull.id, filter, groupUuid, s])

  useEffect(() => {
    void load()
  }, [load])

  async function more() {
    if (!review) return
    setLoadingMore(true)
    try {
      const r = await syncApi.pullReview(pull.id, { filter, groupUuid, search: s, offset: review.items.length, limit: PAGE })
      setReview({ ...r, items: [...review.items, ...r.items] })
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setLoadingMore(false)
    }
  }

  async function act(f: () => Promise<unknown>) {
    setBusy(true)
    setError(undefined)
    try {
      await f()
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  const decide = (d: Decision) =>
    act(async () => {
      const r = await syncApi.decidePull(pull.id, [d])
      setSummary(r.summary)
      await load()
    })

  const useSuggestions = () =>
    act(async () => {
      const r = await syncApi.acceptSuggestions(pull.id)
      setSummary(r.summary)
      if (filter === 'needInput') setFilter(r.summary.changes > 0 ? 'changes' : '')
      else await load()
    })

  const apply = () => act(async () => onChanged(await syncApi.applyPull(pull.id)))

  const sm = summary
  const groups = review?.groups ?? []
  const tabs: { value: Filter; label: string; n?: number }[] = [
    { value: 'needInput', label: 'Need your input', n: sm?.needInput },
    { value: 'changes', label: 'Changes', n: sm?.changes },
    { value: 'flagged', label: 'Flagged', n: sm?.flagged },
    { value: '', label: 'All' },
  ]

  if (!review && !error) return <Spinner label="Opening the review…" />

  return (
    <div className="review" data-testid="pull-review">
      {sm && (
        <section className="card review-summary" aria-label="Summary">
          <div className="tiles">
            {summaryTiles(sm).map((t) => (
              <div key={t.key} className={`tile${t.key === 'input' && t.n > 0 ? ' tile-warning' : ''}`} data-testid={`tile-${t.key}`}>
                <div className="tile-n">{t.n}</div>
                <div className="tile-label">{t.label}</div>
                <div className="tile-hint">{t.hint}</div>
              </div>
            ))}
          </div>
          <div className="review-summary-text">
            <p className={`review-message${sm.needInput > 0 ? ' warning-text' : ''}`} data-testid="review-message">
              {sm.needInput > 0 ? <TriangleAlert size={16} aria-hidden /> : <CircleCheck size={16} aria-hidden />} {sm.message}
            </p>
            {sm.memberships.add + sm.relationships.create + sm.conflicts + sm.entities.skip + sm.relationships.skip > 0 && (
            <p className="muted">
              Also: {plural(sm.memberships.add, 'membership', 'memberships')} to add, {plural(sm.relationships.create, 'relationship', 'relationships')} to record
              {sm.conflicts > 0 ? `, ${plural(sm.conflicts, 'field', 'fields')} changed on both sides (Structura’s kept unless you choose)` : ''}
              {sm.entities.skip + sm.relationships.skip > 0 ? `, ${sm.entities.skip + sm.relationships.skip} left out` : ''}.
            </p>
            )}
            {(review?.rules.length ?? 0) > 0 && (
              <p className="muted" data-testid="review-rules">
                Apply will also save {review!.rules.length === 1 ? 'a kind rule' : `${review!.rules.length} kind rules`} for later pulls:{' '}
                {review!.rules.map((r) => `“${r.label}” → ${kindLabel(r.kind, r.trustType)}`).join('; ')}.
              </p>
            )}
            <p className="review-safe">Nothing has been written to Structura yet. You can change any decision; nothing is read from XPM again.</p>
          </div>
        </section>
      )}

      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />

      <div className="toolbar toolbar-wrap">
        <div className="tabs" role="tablist" aria-label="Show">
          {tabs.map((t) => (
            <button key={t.value || 'all'} type="button" role="tab" aria-selected={filter === t.value}
              className={`tab${filter === t.value ? ' tab-active' : ''}`} onClick={() => setFilter(t.value)} data-testid={`review-tab-${t.value || 'all'}`}>
              {t.label} {t.n !== undefined && <span className="count">{t.n}</span>}
            </button>
          ))}
        </div>
        {groups.length > 1 && (
          <select className="input input-inline" aria-label="Group" value={groupUuid} onChange={(e) => setGroupUuid(e.target.value)}>
            <option value="">All {groups.length} groups</option>
            {groups.map((g) => (
              <option key={g.uuid} value={g.uuid}>
                {g.localName || g.name} — {plural(g.changes, 'change', 'changes')}
                {g.needInput > 0 ? `, ${g.needInput} to decide` : ''}
              </option>
            ))}
          </select>
        )}
        <div className="search">
          <Search size={16} aria-hidden className="search-icon" />
          <input className="input search-input" type="search" value={search} onChange={(e) => setSearch(e.target.value)}
            placeholder="Search names" aria-label="Search the review" />
        </div>
      </div>

      {groups.some((g) => g.problem) && (
        <ul className="problem-list">
          {groups.filter((g) => g.problem).map((g) => (
            <li key={g.uuid}><strong>{g.localName || g.name}</strong>: {g.problem}</li>
          ))}
        </ul>
      )}

      {review && review.items.length === 0 ? (
        <div className="card">
          <EmptyState compact icon={<ListChecks size={24} />} testId="review-empty"
            title={filter === 'needInput' ? 'Nothing needs your decision' : filter === 'changes' ? 'Nothing to change' : filter === 'flagged' ? 'Nothing flagged' : s ? `Nothing matches “${s}”` : 'Nothing to review'}>
            {filter === 'needInput' && sm && sm.changes > 0 && <p>Every item has a decision. Check the changes, then apply them.</p>}
          </EmptyState>
        </div>
      ) : (
        review && (
          <div className="review-items" aria-busy={busy}>
            {review.items.map((it) => (
              <ReviewItemCard key={it.key + JSON.stringify(it.decision ?? {})} item={it} busy={busy} onDecide={(d) => void decide(d)} />
            ))}
            {review.items.length < review.total && (
              <button type="button" className="button button-secondary show-more" onClick={more} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : `Show more (${review.total - review.items.length} left)`}
              </button>
            )}
          </div>
        )
      )}

      {sm && (
        <div className="action-bar" data-testid="review-actions">
          <p className="action-bar-note">
            {sm.needInput > 0
              ? `${plural(sm.needInput, 'item needs', 'items need')} your decision before anything is written.`
              : 'Nothing is written until you apply.'}
          </p>
          <button type="button" className="button button-ghost" onClick={() => setConfirmDiscard(true)} disabled={busy}>
            Discard
          </button>
          {sm.needInput > 0 && (
            <button type="button" className="button button-secondary" onClick={() => void useSuggestions()} disabled={busy} data-testid="use-suggestions">
              Use the suggestions
            </button>
          )}
          <button type="button" className="button button-primary" onClick={() => void apply()} disabled={busy || sm.needInput > 0}
            title={sm.needInput > 0 ? 'Decide the items that need your input first' : undefined} data-testid="apply-pull">
            {applyLabel(sm)}
          </button>
        </div>
      )}

      {confirmDiscard && (
        <ConfirmDialog title="Discard this pull?" confirmLabel="Discard pull" onCancel={() => setConfirmDiscard(false)}
          onConfirm={async () => {
            const p = await syncApi.discardPull(pull.id)
            setConfirmDiscard(false)
            onChanged(p)
          }}>
          <p>Nothing was written to Structura, and nothing will be. Your decisions in this review are dropped; a new pull reads XPM again.</p>
        </ConfirmDialog>
      )}
    </div>
  )
}
