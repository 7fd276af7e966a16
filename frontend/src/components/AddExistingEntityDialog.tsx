// Add an entity that already exists (in another group, or in none) to this
// group: search by name, email, ABN or ACN, then Add.
import { useEffect, useState } from 'react'
import { Search } from 'lucide-react'
import Dialog from './Dialog'
import ErrorBanner from './ErrorBanner'
import Spinner from './Spinner'
import { api, type Entity } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'
import { entityName, formatABN, formatACN, kindLabel } from '../lib/format'
import { useDebounced } from '../lib/useDebounced'

export default function AddExistingEntityDialog({
  groupId,
  memberIds,
  onClose,
  onAdded,
}: {
  groupId: number
  memberIds: Set<number>
  onClose: () => void
  onAdded: (e: Entity) => void
}) {
  const [query, setQuery] = useState('')
  const q = useDebounced(query, 200)
  const [results, setResults] = useState<Entity[]>()
  const [error, setError] = useState<AppError>()
  const [adding, setAdding] = useState<number>()

  useEffect(() => {
    let live = true
    api
      .listEntities(q)
      .then((r) => {
        if (!live) return
        setResults(r)
        setError(undefined)
      })
      .catch((e) => live && setError(toAppError(e)))
    return () => {
      live = false
    }
  }, [q])

  async function add(e: Entity) {
    setAdding(e.id)
    setError(undefined)
    try {
      await api.addMember(groupId, e.id)
      onAdded(e)
    } catch (err) {
      setError(toAppError(err))
      setAdding(undefined)
    }
  }

  return (
    <Dialog
      title="Add an existing entity"
      description="Entities can belong to more than one group. Adding one here does not change its details or relationships."
      onClose={onClose}
      width="md"
      testId="add-existing-dialog"
      footer={
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorBanner error={error} />
      <div className="search search-block">
        <Search size={16} aria-hidden className="search-icon" />
        <input
          className="input search-input"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search by name, email, ABN or ACN"
          aria-label="Search entities"
        />
      </div>
      {results === undefined ? (
        <Spinner />
      ) : results.length === 0 ? (
        <p className="muted pick-empty">
          {q ? `No entity matches “${q}”.` : 'There are no entities yet. Use “Add entity” to create one.'}
        </p>
      ) : (
        <ul className="pick-list" aria-label="Entities">
          {results.map((e) => {
            const member = memberIds.has(e.id)
            const ids = [e.abn && `ABN ${formatABN(e.abn)}`, e.acn && `ACN ${formatACN(e.acn)}`].filter(Boolean).join(' · ')
            return (
              <li key={e.id} className="pick-item">
                <div>
                  <div className="pick-name">{entityName(e)}</div>
                  <div className="pick-meta">
                    {kindLabel(e.kind, e.trustType)}
                    {ids && ` · ${ids}`}
                  </div>
                </div>
                {member ? (
                  <span className="badge">Already in this group</span>
                ) : (
                  <button
                    type="button"
                    className="button button-secondary button-sm"
                    onClick={() => add(e)}
                    disabled={adding !== undefined}
                    aria-label={`Add ${entityName(e)} to this group`}
                  >
                    {adding === e.id ? 'Adding…' : 'Add'}
                  </button>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </Dialog>
  )
}
