// The XPM client groups of the practice, as last discovered, with their link
// status and the actions each allows. Sorting and filtering are the
// backend's (ListXPMGroups); this table only shows the rows it is given and
// says which column they are sorted by.
import type { ReactNode } from 'react'
import { ArrowDown, ArrowUp, ArrowUpDown, CloudDownload, Link2, Unlink } from 'lucide-react'
import type { XPMGroupRow } from '../../bridge/sync'
import { memberCount, when, whenPhrase } from './syncFormat'

export type SortKey = 'name' | 'members' | 'status' | 'linkedTo' | 'lastPulled' | 'changed'

export interface XpmGroupsTableProps {
  rows: XPMGroupRow[]
  sort: SortKey
  desc: boolean
  onSort: (key: SortKey) => void
  selected: Set<string>
  onSelect: (uuids: string[], on: boolean) => void
  /** Linking needs XPM: disabled (with the reason) while read-only. */
  readOnly: boolean
  readOnlyReason?: string
  busy?: string
  onLinkNew: (row: XPMGroupRow) => void
  onLinkExisting: (row: XPMGroupRow) => void
  onUnlink: (row: XPMGroupRow) => void
  onPull: (row: XPMGroupRow) => void
}

/** A row can be selected when something can be done with it in bulk:
 * linked (pull) or not linked and still in XPM (link). */
export function selectable(r: XPMGroupRow): boolean {
  return !!r.link || !r.deletedInXpm
}

/** XPM gives groups no change date: a change is only worth showing when
 * Structura saw the group change after it first saw it. */
export function changedSinceFirstSeen(r: XPMGroupRow): boolean {
  const c = Date.parse(String(r.changedAt ?? ''))
  const f = Date.parse(String(r.firstSeenAt ?? ''))
  return !Number.isNaN(c) && !Number.isNaN(f) && c - f > 60_000
}

export default function XpmGroupsTable(p: XpmGroupsTableProps) {
  const selectableRows = p.rows.filter(selectable)
  const allOn = selectableRows.length > 0 && selectableRows.every((r) => p.selected.has(r.uuid))
  const someOn = selectableRows.some((r) => p.selected.has(r.uuid))

  const header = (key: SortKey, label: string, className?: string) => {
    const active = p.sort === key
    const Icon = active ? (p.desc ? ArrowDown : ArrowUp) : ArrowUpDown
    return (
      <th scope="col" className={className} aria-sort={active ? (p.desc ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className={`th-sort${active ? ' th-sort-active' : ''}`} onClick={() => p.onSort(key)}>
          {label}
          <Icon size={13} aria-hidden />
        </button>
      </th>
    )
  }

  return (
    <div className="table-wrap">
      <table className="table xpm-table" data-testid="xpm-groups-table">
        <caption className="visually-hidden">Client groups in Xero Practice Manager</caption>
        <thead>
          <tr>
            <th scope="col" className="check-col">
              <input
                type="checkbox"
                aria-label="Select every group shown"
                checked={allOn}
                ref={(el) => {
                  if (el) el.indeterminate = someOn && !allOn
                }}
                disabled={selectableRows.length === 0}
                onChange={(e) => p.onSelect(selectableRows.map((r) => r.uuid), e.target.checked)}
              />
            </th>
            {header('name', 'XPM group', 'col-name')}
            {header('members', 'Members', 'num')}
            {header('linkedTo', 'Linked to', 'col-link')}
            {header('lastPulled', 'Last pulled', 'col-date')}
            <th scope="col" className="actions-col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr key={r.uuid} data-testid="xpm-group-row" data-name={r.name} className={p.selected.has(r.uuid) ? 'selected' : undefined}>
              <td className="check-col">
                {selectable(r) && (
                  <input
                    type="checkbox"
                    aria-label={`Select ${r.name}`}
                    checked={p.selected.has(r.uuid)}
                    onChange={(e) => p.onSelect([r.uuid], e.target.checked)}
                  />
                )}
              </td>
              <td className="col-name">
                <div className="cell-main">
                  <span className="xpm-group-name">{r.name}</span>
                  {r.deletedInXpm && <span className="badge badge-danger">Deleted in XPM</span>}
                  {changedSinceFirstSeen(r) && !r.deletedInXpm && (
                    <div className="cell-sub" title="XPM keeps no change date for groups: this is when Structura first saw its current name and members">
                      Changed in XPM (seen {whenPhrase(r.changedAt)})
                    </div>
                  )}
                  {r.deletedInXpm && when(r.deletedAt) && <div className="cell-sub">Gone from XPM since {whenPhrase(r.deletedAt)}</div>}
                </div>
              </td>
              <td className="num">{memberCount(r.memberCount)}</td>
              <td className="col-link">
                <div className="link-cell">
                  <StatusBadge row={r} />
                  <span data-testid="xpm-group-local">
                    {r.link &&
                      (r.link.localGroupId ? (
                        <a className="row-link" href={`#/groups/${r.link.localGroupId}`}>
                          {r.link.localGroupName}
                        </a>
                      ) : (
                        <span className="muted">Local group deleted</span>
                      ))}
                  </span>
                </div>
              </td>
              <td className="col-date">
                {r.link ? when(r.link.lastPulledAt, 'Never pulled') : <span className="muted">—</span>}
              </td>
              <td className="actions-col">
                <RowActions row={r} {...p} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function StatusBadge({ row }: { row: XPMGroupRow }) {
  if (row.link) {
    return (
      <span className="badge badge-accent" data-testid="xpm-group-status">
        <Link2 size={12} aria-hidden /> Linked
      </span>
    )
  }
  return (
    <span className="badge" data-testid="xpm-group-status">
      Not linked
    </span>
  )
}

function RowActions({
  row,
  readOnly,
  readOnlyReason,
  busy,
  onLinkNew,
  onLinkExisting,
  onUnlink,
  onPull,
}: { row: XPMGroupRow } & XpmGroupsTableProps) {
  const isBusy = busy === row.uuid
  const needsXpm = readOnly ? readOnlyReason || 'Connect to XPM first' : undefined
  const buttons: ReactNode[] = []
  if (row.link) {
    const localGone = !row.link.localGroupId
    buttons.push(
      <button
        key="pull"
        type="button"
        className="button button-secondary button-sm"
        onClick={() => onPull(row)}
        disabled={readOnly || localGone || row.deletedInXpm || isBusy}
        title={needsXpm ?? (localGone ? 'The local group was deleted' : row.deletedInXpm ? 'The group no longer exists in XPM' : `Bring ${row.name}'s clients and relationships in from XPM`)}
        aria-label={`Pull ${row.name} now`}
      >
        <CloudDownload size={14} aria-hidden /> Pull now
      </button>,
      <button
        key="unlink"
        type="button"
        className="button button-ghost button-sm"
        onClick={() => onUnlink(row)}
        disabled={isBusy || localGone}
        aria-label={`Unlink ${row.name}`}
        title="Remove the link; keeps every local group, entity and relationship"
      >
        <Unlink size={14} aria-hidden /> Unlink
      </button>,
    )
  } else if (!row.deletedInXpm) {
    buttons.push(
      <button
        key="new"
        type="button"
        className="button button-secondary button-sm"
        onClick={() => onLinkNew(row)}
        disabled={readOnly || isBusy}
        title={needsXpm ?? `Create a local group named “${row.name}” and link it`}
        aria-label={`Link ${row.name} as a new local group`}
      >
        {isBusy ? 'Linking…' : 'Link as new'}
      </button>,
      <button
        key="existing"
        type="button"
        className="button button-ghost button-sm"
        onClick={() => onLinkExisting(row)}
        disabled={readOnly || isBusy}
        title={needsXpm ?? 'Link it to a local group you already have'}
        aria-label={`Link ${row.name} to an existing local group`}
      >
        Link to existing…
      </button>,
    )
  }
  return <div className="row-buttons">{buttons}</div>
}
