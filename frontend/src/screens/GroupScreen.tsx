// One group: its entities and every relationship touching them, with the
// entities at the far end that are not members. Every change goes through a
// dialog; every delete asks first.
import { useMemo, useState, type ReactNode } from 'react'
import { ArrowLeft, Link2, Network, Pencil, Plus, Trash2, UserMinus, UserPlus, Users } from 'lucide-react'
import AddExistingEntityDialog from '../components/AddExistingEntityDialog'
import ConfirmDialog from '../components/ConfirmDialog'
import DataTable, { type Column } from '../components/DataTable'
import DeleteGroupDialog from '../components/DeleteGroupDialog'
import EmptyState from '../components/EmptyState'
import EntityDialog from '../components/EntityDialog'
import ErrorBanner from '../components/ErrorBanner'
import GroupDialog from '../components/GroupDialog'
import GroupXpmBar from '../components/sync/GroupXpmBar'
import RelationshipDialog from '../components/RelationshipDialog'
import Spinner from '../components/Spinner'
import { useToast } from '../components/Toasts'
import { api, type Entity, type Relationship, type RelationshipType } from '../bridge/api'
import {
  entityName,
  formatABN,
  formatACN,
  formatDate,
  formatPercent,
  formatPeriod,
  formatShares,
  kindLabel,
  plural,
} from '../lib/format'
import { navigate } from '../lib/router'
import { useLoad } from '../lib/useLoad'
import { AppError, toAppError } from '../bridge/errors'

type DialogState =
  | { kind: 'editGroup' }
  | { kind: 'deleteGroup' }
  | { kind: 'newEntity' }
  | { kind: 'editEntity'; entity: Entity }
  | { kind: 'addExisting' }
  | { kind: 'removeMember'; entity: Entity }
  | { kind: 'deleteEntity'; entity: Entity }
  | { kind: 'newRel' }
  | { kind: 'editRel'; rel: Relationship }
  | { kind: 'deleteRel'; rel: Relationship }

export default function GroupScreen({ id }: { id: number }) {
  const { data: group, error, reload } = useLoad(() => api.getGroup(id), [id])
  const { data: types } = useLoad(() => api.relationshipTypes(), [])
  const [dialog, setDialog] = useState<DialogState>()
  const [actionError, setActionError] = useState<AppError>()
  const toast = useToast()
  const close = () => setDialog(undefined)

  const typeByCode = useMemo(() => new Map((types ?? []).map((t) => [t.code, t])), [types])
  const byId = useMemo(() => {
    const m = new Map<number, Entity>()
    for (const e of [...(group?.external ?? []), ...(group?.entities ?? [])]) m.set(e.id, e)
    return m
  }, [group])
  const memberIds = useMemo(() => new Set((group?.entities ?? []).map((e) => e.id)), [group])

  if (error?.code === 'not_found') {
    return (
      <div className="screen">
        <BackLink />
        <div className="card">
          <EmptyState testId="group-gone" icon={<Users size={26} />} title={error.message}
            action={<a className="button button-primary" href="#/groups">Back to all groups</a>}>
            <p>{error.hint ?? 'It may have been deleted in another window.'}</p>
          </EmptyState>
        </div>
      </div>
    )
  }

  if (!group) {
    return (
      <div className="screen">
        <BackLink />
        {error ? (
          <ErrorBanner error={error} onRetry={() => void reload()} />
        ) : (
          <Spinner />
        )}
      </div>
    )
  }

  const relCount = (e: Entity) => group.relationships.filter((r) => r.fromId === e.id || r.toId === e.id).length
  const label = (t: RelationshipType | undefined, code: string) => t?.label ?? (code ? code[0].toUpperCase() + code.slice(1) : '')
  const relText = (r: Relationship) =>
    `${entityName(byId.get(r.fromId))} is ${label(typeByCode.get(r.type), r.type)} ${entityName(byId.get(r.toId))}`

  const entityColumns: Column<Entity>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-name',
      render: (e) => (
        <div className="cell-main">
          <button type="button" className="row-link" onClick={() => setDialog({ kind: 'editEntity', entity: e })}>
            {entityName(e)}
          </button>
          {e.dateOfBirth && <div className="cell-sub">Born {formatDate(e.dateOfBirth)}</div>}
          {e.tradingName && e.tradingName !== e.displayName && <div className="cell-sub">Trading as {e.tradingName}</div>}
          {!memberIds.has(e.id) && (
            <span className="badge" title="Not a member of this group: shown because it is related to a member.">
              Not in this group
            </span>
          )}
        </div>
      ),
    },
    { key: 'kind', header: 'Kind', render: (e) => <span className={`kind kind-${e.kind}`}>{kindLabel(e.kind, e.trustType)}</span> },
    {
      key: 'ids',
      header: 'Tax identifiers',
      className: 'col-ids',
      render: (e) => (
        <div className="ids">
          {e.abn && <div><span className="id-label">ABN</span> <span className="mono">{formatABN(e.abn)}</span></div>}
          {e.acn && <div><span className="id-label">ACN</span> <span className="mono">{formatACN(e.acn)}</span></div>}
          {e.tfnLast3 && (
            <div title="Tax file number on file; only its last 3 digits are shown">
              <span className="id-label">TFN</span> <span className="mono">•••{e.tfnLast3}</span>
            </div>
          )}
          {!e.abn && !e.acn && !e.tfnLast3 && <span className="muted">—</span>}
        </div>
      ),
    },
    {
      key: 'contact',
      header: 'Contact',
      className: 'col-contact',
      render: (e) =>
        e.email || e.phone ? (
          <div className="contact">
            {e.email && <div title={e.email}>{e.email}</div>}
            {e.phone && <div title={e.phone}>{e.phone}</div>}
          </div>
        ) : (
          <span className="muted">—</span>
        ),
    },
  ]

  const memberActions = (e: Entity) => (
    <div className="row-actions">
      <IconAction label={`Edit ${entityName(e)}`} tip="Edit" onClick={() => setDialog({ kind: 'editEntity', entity: e })}>
        <Pencil size={15} aria-hidden />
      </IconAction>
      <IconAction
        label={`Remove ${entityName(e)} from this group`}
        tip="Remove from this group (the entity is kept)"
        onClick={() => setDialog({ kind: 'removeMember', entity: e })}
      >
        <UserMinus size={15} aria-hidden />
      </IconAction>
      <IconAction label={`Delete ${entityName(e)}`} tip="Delete everywhere" danger onClick={() => setDialog({ kind: 'deleteEntity', entity: e })}>
        <Trash2 size={15} aria-hidden />
      </IconAction>
    </div>
  )

  const externalActions = (e: Entity) => (
    <div className="row-actions">
      <IconAction label={`Edit ${entityName(e)}`} tip="Edit" onClick={() => setDialog({ kind: 'editEntity', entity: e })}>
        <Pencil size={15} aria-hidden />
      </IconAction>
      <IconAction
        label={`Add ${entityName(e)} to this group`}
        tip="Add to this group"
        onClick={async () => {
          try {
            await api.addMember(group.id, e.id)
            toast(`${entityName(e)} added to the group`)
            void reload()
          } catch (err) {
            setActionError(toAppError(err))
          }
        }}
      >
        <UserPlus size={15} aria-hidden />
      </IconAction>
    </div>
  )

  const relColumns: Column<Relationship>[] = [
    { key: 'who', header: 'Who', className: 'col-name', render: (r) => <EntityRef e={byId.get(r.fromId)} member={memberIds.has(r.fromId)} /> },
    { key: 'type', header: 'Relationship', render: (r) => <span className="rel-type">{label(typeByCode.get(r.type), r.type)}</span> },
    { key: 'whom', header: 'Of whom', className: 'col-name', render: (r) => <EntityRef e={byId.get(r.toId)} member={memberIds.has(r.toId)} /> },
    { key: 'shares', header: 'Shares', numeric: true, render: (r) => formatShares(r.numberOfShares) || <span className="muted">—</span> },
    { key: 'pct', header: '%', numeric: true, render: (r) => formatPercent(r.percentage) || <span className="muted">—</span> },
    { key: 'period', header: 'Period', className: 'col-period', render: (r) => formatPeriod(r.startDate, r.endDate) || <span className="muted">Current</span> },
  ]

  const relActions = (r: Relationship) => (
    <div className="row-actions">
      <IconAction label={`Edit relationship: ${relText(r)}`} tip="Edit" onClick={() => setDialog({ kind: 'editRel', rel: r })}>
        <Pencil size={15} aria-hidden />
      </IconAction>
      <IconAction label={`Delete relationship: ${relText(r)}`} tip="Delete" danger onClick={() => setDialog({ kind: 'deleteRel', rel: r })}>
        <Trash2 size={15} aria-hidden />
      </IconAction>
    </div>
  )

  const after = (msg: string) => {
    close()
    toast(msg)
    void reload()
  }

  return (
    <div className="screen" data-testid="group-screen">
      <BackLink />
      <header className="screen-header">
        <div className="screen-header-text">
          <h1 className="screen-title" data-testid="group-title">
            {group.name}
          </h1>
          <p className="screen-subtitle">
            {plural(group.entities.length, 'entity', 'entities')} · {plural(group.relationships.length, 'relationship', 'relationships')}
            {group.linked && (
              <span className="badge badge-accent">
                <Link2 size={12} aria-hidden /> Linked to XPM
              </span>
            )}
          </p>
          {group.notes && <p className="group-notes">{group.notes}</p>}
        </div>
        <div className="header-actions">
          <button type="button" className="button button-secondary" onClick={() => setDialog({ kind: 'editGroup' })}>
            <Pencil size={15} aria-hidden /> Edit group
          </button>
          <button type="button" className="button button-secondary button-danger-text" onClick={() => setDialog({ kind: 'deleteGroup' })}>
            <Trash2 size={15} aria-hidden /> Delete group
          </button>
        </div>
      </header>

      <GroupXpmBar groupId={group.id} groupName={group.name} linked={group.linked} onChanged={() => void reload()} />

      <ErrorBanner error={error} onRetry={() => void reload()} />
      <ErrorBanner error={actionError} onDismiss={() => setActionError(undefined)} />

      <section className="section" aria-labelledby="entities-heading">
        <div className="section-header">
          <h2 id="entities-heading" className="section-title">
            Entities <span className="count" data-testid="entity-count">{group.entities.length}</span>
          </h2>
          <div className="section-actions">
            <button type="button" className="button button-secondary" onClick={() => setDialog({ kind: 'addExisting' })}>
              Add existing entity
            </button>
            <button type="button" className="button button-primary" onClick={() => setDialog({ kind: 'newEntity' })}>
              <Plus size={16} aria-hidden /> Add entity
            </button>
          </div>
        </div>
        <div className="card card-flush">
          {group.entities.length === 0 ? (
            <EmptyState compact testId="entities-empty" icon={<Users size={24} />} title="No entities in this group yet"
              action={<button type="button" className="button button-primary" onClick={() => setDialog({ kind: 'newEntity' })}><Plus size={16} aria-hidden /> Add entity</button>}>
              <p>Add the people, companies, trusts, partnerships and super funds of this client. Start with the individuals, then the entities they control.</p>
            </EmptyState>
          ) : (
            <DataTable
              caption="Entities in this group"
              testId="entities-table"
              rowTestId="entity-row"
              columns={entityColumns}
              rows={group.entities}
              rowKey={(e) => e.id}
              actions={memberActions}
              onRowClick={(e) => setDialog({ kind: 'editEntity', entity: e })}
            />
          )}
        </div>
      </section>

      {group.external.length > 0 && (
        <section className="section" aria-labelledby="external-heading">
          <div className="section-header">
            <h2 id="external-heading" className="section-title">
              Related entities outside this group <span className="count">{group.external.length}</span>
            </h2>
          </div>
          <p className="section-note">They are not members of this group but have a relationship with a member.</p>
          <div className="card card-flush">
            <DataTable
              caption="Related entities outside this group"
              testId="external-table"
              rowTestId="external-row"
              columns={entityColumns}
              rows={group.external}
              rowKey={(e) => e.id}
              actions={externalActions}
            />
          </div>
        </section>
      )}

      <section className="section" aria-labelledby="relationships-heading">
        <div className="section-header">
          <h2 id="relationships-heading" className="section-title">
            Relationships <span className="count" data-testid="relationship-count">{group.relationships.length}</span>
          </h2>
          <div className="section-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => setDialog({ kind: 'newRel' })}
              disabled={group.entities.length === 0}
              title={group.entities.length === 0 ? 'Add entities first' : undefined}
            >
              <Plus size={16} aria-hidden /> Add relationship
            </button>
          </div>
        </div>
        <div className="card card-flush">
          {group.relationships.length === 0 ? (
            <EmptyState compact testId="relationships-empty" icon={<Network size={24} />} title="No relationships recorded"
              action={
                group.entities.length > 0 ? (
                  <button type="button" className="button button-primary" onClick={() => setDialog({ kind: 'newRel' })}>
                    <Plus size={16} aria-hidden /> Add relationship
                  </button>
                ) : undefined
              }>
              <p>
                {group.entities.length === 0
                  ? 'Add entities first, then record how they are related: director, shareholder, trustee, beneficiary, member, spouse…'
                  : 'Record how the entities are related: who is director, shareholder, trustee, beneficiary or member of what.'}
              </p>
            </EmptyState>
          ) : (
            <DataTable
              caption="Relationships"
              testId="relationships-table"
              rowTestId="relationship-row"
              columns={relColumns}
              rows={group.relationships}
              rowKey={(r) => r.id}
              actions={relActions}
              onRowClick={(r) => setDialog({ kind: 'editRel', rel: r })}
            />
          )}
        </div>
      </section>

      {dialog?.kind === 'editGroup' && (
        <GroupDialog group={group} onClose={close} onSaved={() => after('Group saved')} />
      )}
      {dialog?.kind === 'deleteGroup' && (
        <DeleteGroupDialog
          groupId={group.id}
          onClose={close}
          onDeleted={(p) => {
            close()
            toast(`Group “${p.groupName}” deleted`)
            navigate({ name: 'groups' })
          }}
        />
      )}
      {dialog?.kind === 'newEntity' && (
        <EntityDialog groupId={group.id} onClose={close} onSaved={(e) => after(`${entityName(e)} added`)} />
      )}
      {dialog?.kind === 'editEntity' && (
        <EntityDialog groupId={group.id} entity={dialog.entity} onClose={close} onSaved={(e) => after(`${entityName(e)} saved`)} />
      )}
      {dialog?.kind === 'addExisting' && (
        <AddExistingEntityDialog groupId={group.id} memberIds={memberIds} onClose={close} onAdded={(e) => after(`${entityName(e)} added to the group`)} />
      )}
      {dialog?.kind === 'removeMember' && (
        <ConfirmDialog
          title={`Remove ${entityName(dialog.entity)} from this group?`}
          confirmLabel="Remove from group"
          onCancel={close}
          onConfirm={async () => {
            await api.removeMember(group.id, dialog.entity.id)
            after(`${entityName(dialog.entity)} removed from the group`)
          }}
        >
          <p>
            {entityName(dialog.entity)} stays in Structura with its details and relationships; it is only taken out of “{group.name}”.
          </p>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'deleteEntity' && (
        <ConfirmDialog
          title={`Delete ${entityName(dialog.entity)}?`}
          confirmLabel="Delete entity"
          onCancel={close}
          onConfirm={async () => {
            await api.deleteEntity(dialog.entity.id)
            after(`${entityName(dialog.entity)} deleted`)
          }}
        >
          <p>
            This deletes {entityName(dialog.entity)} from Structura entirely, from every group it belongs to
            {relCount(dialog.entity) > 0 ? `, with its ${plural(relCount(dialog.entity), 'relationship', 'relationships')}` : ''}. This cannot be undone.
          </p>
          <p className="muted">To keep the entity but take it out of this group, use Remove instead.</p>
        </ConfirmDialog>
      )}
      {(dialog?.kind === 'newRel' || dialog?.kind === 'editRel') && (
        <RelationshipDialog
          members={group.entities}
          external={group.external}
          types={types ?? []}
          relationship={dialog.kind === 'editRel' ? dialog.rel : undefined}
          onClose={close}
          onSaved={(_, created) => after(created ? 'Relationship added' : 'Relationship saved')}
        />
      )}
      {dialog?.kind === 'deleteRel' && (
        <ConfirmDialog
          title="Delete this relationship?"
          confirmLabel="Delete relationship"
          onCancel={close}
          onConfirm={async () => {
            await api.deleteRelationship(dialog.rel.id)
            after('Relationship deleted')
          }}
        >
          <p>
            “{relText(dialog.rel)}” will no longer be recorded. Both entities stay. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}

function BackLink() {
  return (
    <a className="back-link" href="#/groups">
      <ArrowLeft size={15} aria-hidden /> All groups
    </a>
  )
}

function EntityRef({ e, member }: { e: Entity | undefined; member: boolean }) {
  if (!e) return <span className="muted">Unknown entity</span>
  return (
    <span className="entity-ref">
      <span>{entityName(e)}</span>
      {!member && (
        <span className="badge" title="Not a member of this group">
          Not in this group
        </span>
      )}
    </span>
  )
}

function IconAction({
  label,
  tip,
  danger,
  onClick,
  children,
}: {
  label: string
  tip: string
  danger?: boolean
  onClick: () => void
  children: ReactNode
}) {
  return (
    <button type="button" className={`icon-button row-action${danger ? ' row-action-danger' : ''}`} aria-label={label} title={tip} onClick={onClick}>
      {children}
    </button>
  )
}
