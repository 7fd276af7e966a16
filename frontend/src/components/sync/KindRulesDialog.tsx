// The saved answers "XPM business structure → kind of entity" that later
// pulls use instead of asking again; each can be forgotten.
import { useEffect, useState } from 'react'
import { Trash2 } from 'lucide-react'
import Dialog from '../Dialog'
import EmptyState from '../EmptyState'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import { syncApi, type KindRule } from '../../bridge/sync'
import { AppError, toAppError } from '../../bridge/errors'
import { kindLabel } from '../../lib/format'

export default function KindRulesDialog({ onClose }: { onClose: () => void }) {
  const [rules, setRules] = useState<KindRule[]>()
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState<string>()

  const load = () =>
    syncApi.kindRules().then(
      (r) => setRules(r),
      (e) => setError(toAppError(e)),
    )

  useEffect(() => {
    void load()
  }, [])

  async function remove(label: string) {
    setBusy(label)
    setError(undefined)
    try {
      await syncApi.deleteKindRule(label)
      await load()
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(undefined)
    }
  }

  return (
    <Dialog
      title="Kind rules"
      description="When XPM's business structure does not say what kind of entity a client is, Structura asks you. Answers you saved are used by later pulls without asking."
      onClose={onClose}
      width="md"
      testId="kind-rules-dialog"
      footer={<button type="button" className="button button-secondary" onClick={onClose}>Close</button>}
    >
      <ErrorBanner error={error} />
      {!rules && !error && <Spinner />}
      {rules && rules.length === 0 && (
        <EmptyState compact title="No saved rules yet">
          <p>In a pull's review, tick “Save as a rule” when you choose the kind of a client.</p>
        </EmptyState>
      )}
      {rules && rules.length > 0 && (
        <ul className="pick-list" data-testid="kind-rules">
          {rules.map((r) => (
            <li key={r.label} className="pick-item" data-testid="kind-rule">
              <span className="pick-name">“{r.label}”</span>
              <span className="pick-meta">→ {kindLabel(r.kind, r.trustType)}</span>
              <button
                type="button"
                className="icon-button row-action row-action-danger"
                aria-label={`Forget the rule for ${r.label}`}
                title="Forget this rule (the next pull asks again)"
                disabled={busy === r.label}
                onClick={() => void remove(r.label)}
              >
                <Trash2 size={15} aria-hidden />
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  )
}
