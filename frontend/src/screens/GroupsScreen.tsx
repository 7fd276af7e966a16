// Home screen: every group, searchable; opens a group; creates one.
import { useEffect, useRef, useState } from 'react'
import { Link2, Plus, Search, Users } from 'lucide-react'
import DataTable, { type Column } from '../components/DataTable'
import EmptyState from '../components/EmptyState'
import ErrorBanner from '../components/ErrorBanner'
import GroupDialog from '../components/GroupDialog'
import Spinner from '../components/Spinner'
import { useToast } from '../components/Toasts'
import { api, type GroupSummary } from '../bridge/api'
import { formatUpdated, plural } from '../lib/format'
import { navigate } from '../lib/router'
import { useDebounced } from '../lib/useDebounced'
import { useLoad } from '../lib/useLoad'

export default function GroupsScreen() {
  const [query, setQuery] = useState('')
  const q = useDebounced(query.trim(), 200)
  const { data: groups, error, reload } = useLoad(() => api.listGroups(q), [q])
  const [creating, setCreating] = useState(false)
  const toast = useToast()
  const searchRef = useRef<HTMLInputElement>(null)

  // "/" jumps to the search box, as in most desktop apps with a list.
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return
      if (t.closest('input, textarea, select, [role="dialog"]')) return
      e.preventDefault()
      searchRef.current?.focus()
    }
    window.addEventListener('keydown', on)
    return () => window.removeEventListener('keydown', on)
  }, [])

  const columns: Column<GroupSummary>[] = [
    {
      key: 'name',
      header: 'Group',
      className: 'col-name',
      render: (g) => (
        <div className="cell-main">
          <a className="row-link" href={`#/groups/${g.id}`}>
            {g.name}
          </a>
          {g.linked && (
            <span className="badge badge-accent" title="Linked to a client group in Xero Practice Manager">
              <Link2 size={12} aria-hidden /> Linked to XPM
            </span>
          )}
          {g.notes && <div className="cell-sub">{g.notes}</div>}
        </div>
      ),
    },
    { key: 'entities', header: 'Entities', numeric: true, render: (g) => g.entityCount },
    { key: 'relationships', header: 'Relationships', numeric: true, render: (g) => g.relationshipCount },
    { key: 'updated', header: 'Last changed', className: 'col-date', render: (g) => formatUpdated(g.lastChangedAt) },
  ]

  const noGroupsAtAll = groups !== undefined && groups.length === 0 && q === ''

  return (
    <div className="screen" data-testid="groups-screen">
      <header className="screen-header">
        <div>
          <h1 className="screen-title">Groups</h1>
          <p className="screen-subtitle">Client families and businesses, with their entities and how they are related.</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          <Plus size={16} aria-hidden /> New group
        </button>
      </header>

      {!noGroupsAtAll && (
        <div className="toolbar">
          <div className="search">
            <Search size={16} aria-hidden className="search-icon" />
            <input
              ref={searchRef}
              className="input search-input"
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Search groups, names, email, ABN or ACN"
              aria-label="Search groups"
              onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
            />
            <kbd className="search-kbd" aria-hidden>
              /
            </kbd>
          </div>
          {groups && groups.length > 0 && (
            <span className="toolbar-count" data-testid="group-count">
              {plural(groups.length, 'group', 'groups')}
            </span>
          )}
        </div>
      )}

      <ErrorBanner error={error} onRetry={() => void reload()} />

      {groups === undefined ? (
        !error && <Spinner />
      ) : noGroupsAtAll ? (
        <div className="card">
          <EmptyState
            testId="groups-empty"
            icon={<Users size={28} />}
            title="No groups yet"
            action={
              <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
                <Plus size={16} aria-hidden /> New group
              </button>
            }
          >
            <p>
              A group holds one client family or business: the people, companies, trusts, partnerships and super funds
              in it, and how they are related — who is director, shareholder, trustee or beneficiary of what.
            </p>
            <p>Create a group for a client, then add its entities and relationships.</p>
          </EmptyState>
        </div>
      ) : groups.length === 0 ? (
        <div className="card">
          <EmptyState testId="groups-no-match" icon={<Search size={26} />} title={`No groups match “${q}”`}
            action={<button type="button" className="button button-secondary" onClick={() => setQuery('')}>Clear search</button>}>
            <p>Search looks at group names and at the names, email addresses, ABNs and ACNs of the entities in them.</p>
          </EmptyState>
        </div>
      ) : (
        <div className="card card-flush">
          <DataTable
            caption="Groups"
            testId="groups-table"
            rowTestId="group-row"
            columns={columns}
            rows={groups}
            rowKey={(g) => g.id}
            onRowClick={(g) => navigate({ name: 'group', id: g.id })}
          />
        </div>
      )}

      {creating && (
        <GroupDialog
          onClose={() => setCreating(false)}
          onSaved={(g) => {
            setCreating(false)
            toast(`Group “${g.name}” created`)
            navigate({ name: 'group', id: g.id })
          }}
        />
      )}
    </div>
  )
}
