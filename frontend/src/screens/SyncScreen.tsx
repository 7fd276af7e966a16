// Import Groups (the Sync area): the practice's XPM client groups as last
// discovered — cached, so the screen opens at once and offline — with their
// link status; link each to a local group (new or existing, one to one),
// unlink, link many in the background, and start a pull. Every rule and
// message is the backend's (docs/sync-groups.md, docs/pull.md).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { BookMarked, CircleCheck, CloudDownload, Link2, RefreshCw, Search, WifiOff, X } from 'lucide-react'
import EmptyState from '../components/EmptyState'
import ErrorBanner from '../components/ErrorBanner'
import Spinner from '../components/Spinner'
import { useToast } from '../components/Toasts'
import BulkLinkDialog from '../components/sync/BulkLinkDialog'
import JobProgress from '../components/sync/JobProgress'
import KindRulesDialog from '../components/sync/KindRulesDialog'
import LinkExistingDialog from '../components/sync/LinkExistingDialog'
import PullStartDialog from '../components/sync/PullStartDialog'
import UnlinkDialog from '../components/sync/UnlinkDialog'
import XpmGroupsTable, { selectable, type SortKey } from '../components/sync/XpmGroupsTable'
import { whenPhrase } from '../components/sync/syncFormat'
import {
  JOB_DISCOVER,
  JOB_LINK_GROUPS,
  OPEN_PULL_STATES,
  laterJob,
  onConnectionChanged,
  onJobProgress,
  onPullChanged,
  onXpmGroupsChanged,
  syncApi,
  type BulkSummary,
  type JobInfo,
  type LinkResult,
  type PullInfo,
  type PullRequest,
  type XPMGroupRow,
} from '../bridge/sync'
import { AppError, toAppError } from '../bridge/errors'
import { plural } from '../lib/format'
import { navigate } from '../lib/router'
import { useDebounced } from '../lib/useDebounced'
import { useLoad } from '../lib/useLoad'

type Status = '' | 'linked' | 'unlinked' | 'deleted'

type DialogState =
  | { kind: 'linkExisting'; row: XPMGroupRow }
  | { kind: 'unlink'; row: XPMGroupRow }
  | { kind: 'bulk'; rows: XPMGroupRow[] }
  | { kind: 'pull'; request: Partial<PullRequest> }
  | { kind: 'rules' }

/** The last link made here, with the offer to pull it (linking copies nothing). */
interface LinkedNotice {
  message: string
  uuid: string
  localGroupId: number
}

export default function SyncScreen() {
  const [query, setQuery] = useState('')
  const q = useDebounced(query.trim(), 200)
  const [status, setStatus] = useState<Status>('')
  const [sort, setSort] = useState<SortKey>('name')
  const [desc, setDesc] = useState(false)
  const { data: list, error, reload } = useLoad(
    () => syncApi.listXPMGroups({ query: q, status, sort, desc }),
    [q, status, sort, desc],
  )
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [dialog, setDialog] = useState<DialogState>()
  const [busy, setBusy] = useState<string>()
  const [actionError, setActionError] = useState<AppError>()
  const [notice, setNotice] = useState<LinkedNotice>()
  const [discovery, setDiscovery] = useState<JobInfo>()
  const [bulk, setBulk] = useState<JobInfo>()
  const [pulls, setPulls] = useState<PullInfo[]>([])
  const toast = useToast()
  const close = () => setDialog(undefined)
  const reloadRef = useRef(reload)
  reloadRef.current = reload
  const discoveryRef = useRef(discovery)
  discoveryRef.current = discovery

  // The discovery the list reports as running (opening the screen may start one).
  useEffect(() => {
    const r = list?.refreshing
    if (r) {
      setDiscovery((d) => laterJob(d, r))
      return
    }
    // The list says no discovery runs: a report of its end may have been
    // missed; ask for the job as it is now.
    const d = discoveryRef.current
    if (list && d && !d.final && (d.state === 'running' || d.state === 'queued')) {
      syncApi.getJob(d.id).then((j) => setDiscovery((cur) => laterJob(cur, j)), () => {})
    }
  }, [list])

  const loadPulls = useCallback(() => {
    syncApi.listPulls(5).then(setPulls, () => {})
  }, [])

  // Jobs and pulls already under way when the screen opens (or interrupted).
  useEffect(() => {
    loadPulls()
    syncApi.listJobs().then(
      (jobs) => {
        const link = jobs.find((j) => j.kind === JOB_LINK_GROUPS && (j.state === 'running' || j.state === 'queued' || j.resumable))
        if (link) setBulk(link)
      },
      () => {},
    )
  }, [loadPulls])

  useEffect(() => {
    const offs = [
      onXpmGroupsChanged(() => void reloadRef.current()),
      onConnectionChanged(() => void reloadRef.current()),
      onPullChanged(() => loadPulls()),
      onJobProgress((j) => {
        if (j.kind === JOB_DISCOVER) {
          setDiscovery((d) => laterJob(d, j))
          if (j.final) void reloadRef.current()
        } else if (j.kind === JOB_LINK_GROUPS) {
          setBulk((b) => (!b || b.final || b.id === j.id ? laterJob(b, j) : b))
          if (j.final) void reloadRef.current()
        }
      }),
    ]
    return () => offs.forEach((off) => off())
  }, [loadPulls])

  // Selection follows the rows that still exist and can be acted on.
  const rows = useMemo(() => list?.groups ?? [], [list])
  useEffect(() => {
    setSelected((s) => {
      const keep = new Set(rows.filter((r) => s.has(r.uuid) && selectable(r)).map((r) => r.uuid))
      return keep.size === s.size ? s : keep
    })
  }, [rows])

  const conn = list?.connection
  const readOnly = !!conn?.readOnly
  const running = discovery && !discovery.final && (discovery.state === 'running' || discovery.state === 'queued')
  const bulkRunning = !!bulk && !bulk.final && (bulk.state === 'running' || bulk.state === 'queued')

  function onSort(key: SortKey) {
    if (key === sort) setDesc((d) => !d)
    else {
      setSort(key)
      setDesc(false)
    }
  }

  function onSelect(uuids: string[], on: boolean) {
    setSelected((s) => {
      const n = new Set(s)
      for (const u of uuids) {
        if (on) n.add(u)
        else n.delete(u)
      }
      return n
    })
  }

  async function refresh() {
    setActionError(undefined)
    try {
      setDiscovery(await syncApi.refreshXPMGroups())
    } catch (e) {
      setActionError(toAppError(e))
      void reload()
    }
  }

  function linked(r: LinkResult) {
    setNotice({ message: r.message, uuid: r.xpmGroup.uuid, localGroupId: r.localGroup.id })
    void reload()
  }

  async function linkNew(row: XPMGroupRow) {
    setBusy(row.uuid)
    setActionError(undefined)
    try {
      linked(await syncApi.linkAsNew(row.uuid))
    } catch (e) {
      setActionError(toAppError(e))
      void reload()
    } finally {
      setBusy(undefined)
    }
  }

  const pull = (request: Partial<PullRequest>) => setDialog({ kind: 'pull', request })
  const openPull = (id: number) => navigate({ name: 'pull', id })

  const selectedRows = rows.filter((r) => selected.has(r.uuid))
  const toLink = selectedRows.filter((r) => !r.link && !r.deletedInXpm)
  const toPull = selectedRows.filter((r) => r.link && r.link.localGroupId && !r.deletedInXpm)
  const practice = conn?.tenant?.name
  const counts = list?.counts
  const nothingYet = list !== undefined && !list.discoveredAt && (counts?.total ?? 0) === 0
  const openOne = pulls.find((p) => OPEN_PULL_STATES.includes(p.state))

  const tabs: { value: Status; label: string; n: number | undefined }[] = [
    { value: '', label: 'All', n: counts?.total },
    { value: 'linked', label: 'Linked', n: counts?.linked },
    { value: 'unlinked', label: 'Not linked', n: counts?.unlinked },
  ]
  if ((counts?.deleted ?? 0) > 0 || status === 'deleted') tabs.push({ value: 'deleted', label: 'Deleted in XPM', n: counts?.deleted })

  const bulkSummary = bulk?.final ? (bulk.summary as BulkSummary | undefined) : undefined

  return (
    <div className="screen" data-testid="sync-screen">
      <header className="screen-header">
        <div className="screen-header-text">
          <h1 className="screen-title">Import groups from XPM</h1>
          <p className="screen-subtitle" data-testid="sync-subtitle">
            <span>
              {practice ? `Client groups of ${practice} in Xero Practice Manager` : 'Client groups in Xero Practice Manager'}
              {list && (
                <span data-testid="discovered-at">
                  {list.discoveredAt ? `, found ${whenPhrase(list.discoveredAt)}.` : ', not discovered yet.'}
                </span>
              )}
            </span>
          </p>
        </div>
        <div className="header-actions">
          <button type="button" className="button button-ghost" onClick={() => setDialog({ kind: 'rules' })}>
            <BookMarked size={15} aria-hidden /> Kind rules
          </button>
          {(counts?.linked ?? 0) > 0 && (
            <button type="button" className="button button-secondary" onClick={() => pull({ all: true })} disabled={readOnly}
              title={readOnly ? conn?.message : 'Pull every linked group from XPM'}>
              <CloudDownload size={15} aria-hidden /> Pull all linked
            </button>
          )}
          <button type="button" className="button button-primary" onClick={refresh} disabled={readOnly || !!running || !list}
            title={readOnly ? conn?.message : 'Read the list of client groups from XPM again'} data-testid="refresh-groups">
            <RefreshCw size={15} aria-hidden className={running ? 'spin' : undefined} /> {running ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>

      {conn && readOnly && !(nothingYet && !running) && (
        <div className="banner banner-warning" role="status" data-testid="readonly-banner">
          <WifiOff size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">{conn.message}</p>
            {conn.hint && <p className="banner-hint">{conn.hint}</p>}
            {(counts?.total ?? 0) > 0 && <p className="banner-hint">Linking and refreshing need XPM; unlinking works offline.</p>}
          </div>
          <div className="banner-actions">
            {conn.state === 'offline' ? (
              <button type="button" className="button button-secondary button-sm" onClick={refresh}>Try again</button>
            ) : (
              <a className="button button-secondary button-sm" href="#/settings">
                {conn.state === 'not_connected' ? 'Connect to XPM' : 'Reconnect'}
              </a>
            )}
          </div>
        </div>
      )}

      <ErrorBanner error={error} onRetry={() => void reload()} />
      <ErrorBanner error={actionError} onDismiss={() => setActionError(undefined)} />

      {discovery && running && (
        <div className="card job-card">
          <JobProgress job={discovery} title="Finding the client groups in XPM" onCancel={() => void syncApi.cancelJob(discovery.id)} />
        </div>
      )}
      {discovery?.final && discovery.state === 'failed' && discovery.error && (
        <ErrorBanner error={discovery.error} onDismiss={() => setDiscovery(undefined)} />
      )}

      {openOne && (
        <div className="banner banner-info" data-testid="open-pull-banner">
          <CloudDownload size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">
              {openOne.state === 'review'
                ? `A pull is waiting for your review: ${openOne.title}.`
                : openOne.state === 'applying'
                  ? `A pull is being applied: ${openOne.title}.`
                  : openOne.error
                    ? `A pull stopped: ${openOne.title}. ${openOne.error.message}`
                    : `A pull is reading XPM: ${openOne.title}.`}
            </p>
            {openOne.state === 'review' && <p className="banner-hint">Nothing was written yet. Open it to apply or discard it.</p>}
          </div>
          <div className="banner-actions">
            <button type="button" className="button button-secondary button-sm" onClick={() => openPull(openOne.id)}>
              Open
            </button>
          </div>
        </div>
      )}

      {notice && (
        <div className="banner banner-success" role="status" data-testid="link-notice">
          <CircleCheck size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">{notice.message}</p>
            <p className="banner-hint">Linking does not copy anything. Pull now to bring in the group's clients and relationships, or later.</p>
          </div>
          <div className="banner-actions">
            <button type="button" className="button button-primary button-sm" onClick={() => pull({ xpmGroupUuids: [notice.uuid] })} disabled={readOnly}>
              <CloudDownload size={14} aria-hidden /> Pull now
            </button>
            <a className="button button-secondary button-sm" href={`#/groups/${notice.localGroupId}`}>Open group</a>
            <button type="button" className="icon-button icon-button-sm" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
              <X size={14} aria-hidden />
            </button>
          </div>
        </div>
      )}

      {bulk && (bulkRunning || bulk.final || bulk.resumable) && (
        <div className="card job-card" data-testid="bulk-job">
          {bulkRunning ? (
            <JobProgress job={bulk} onCancel={() => void syncApi.cancelJob(bulk.id)} note="Groups already linked stay linked if you cancel; the others are left untouched." />
          ) : bulk.final ? (
            <BulkDone job={bulk} summary={bulkSummary} onDismiss={() => setBulk(undefined)}
              onResume={bulk.resumable ? () => syncApi.resumeJob(bulk.id).then(setBulk, (e) => setActionError(toAppError(e))) : undefined} />
          ) : (
            <BulkStopped job={bulk} onResume={() => syncApi.resumeJob(bulk.id).then(setBulk, (e) => setActionError(toAppError(e)))}
              onDismiss={() => syncApi.cancelJob(bulk.id).then(() => setBulk(undefined), (e) => setActionError(toAppError(e)))} />
          )}
        </div>
      )}

      {list === undefined ? (
        !error && <Spinner label="Opening the groups found in XPM…" />
      ) : nothingYet ? (
        <div className="card">
          {running ? (
            <EmptyState icon={<RefreshCw size={26} />} title="Looking for your practice's client groups…" testId="sync-discovering">
              <p>Structura is reading the list of client groups from Xero Practice Manager. It takes two XPM calls.</p>
            </EmptyState>
          ) : (
            <EmptyState
              icon={<Link2 size={26} />}
              title={readOnly ? 'Connect to Xero Practice Manager to import groups' : 'No client groups found yet'}
              testId="sync-empty"
              action={
                readOnly ? (
                  <a className="button button-primary" href="#/settings">Open XPM connection settings</a>
                ) : (
                  <button type="button" className="button button-primary" onClick={refresh}>
                    <RefreshCw size={16} aria-hidden /> Find groups in XPM
                  </button>
                )
              }
            >
              <p>
                Once Structura is connected to your practice, it lists your XPM client groups here. Link each to a group in
                Structura — a new one or one you already keep — then pull its clients and relationships.
              </p>
              <p>Until then, everything you record stays on this computer.</p>
            </EmptyState>
          )}
        </div>
      ) : (
        <>
          <div className="toolbar toolbar-wrap">
            <div className="tabs" role="tablist" aria-label="Show">
              {tabs.map((t) => (
                <button
                  key={t.value || 'all'}
                  type="button"
                  role="tab"
                  aria-selected={status === t.value}
                  className={`tab${status === t.value ? ' tab-active' : ''}`}
                  onClick={() => setStatus(t.value)}
                  data-testid={`tab-${t.value || 'all'}`}
                >
                  {t.label} {t.n !== undefined && <span className="count">{t.n}</span>}
                </button>
              ))}
            </div>
            <div className="search">
              <Search size={16} aria-hidden className="search-icon" />
              <input
                className="input search-input"
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Search XPM or local group names"
                aria-label="Search groups"
                onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
              />
            </div>
          </div>

          {selected.size > 0 && (
            <div className="selection-bar" data-testid="selection-bar">
              <span>{plural(selected.size, 'group', 'groups')} selected</span>
              <div className="selection-actions">
                <button type="button" className="button button-primary button-sm" disabled={readOnly || toLink.length === 0 || bulkRunning}
                  title={readOnly ? conn?.message : toLink.length === 0 ? 'None of the selected groups can be linked' : undefined}
                  onClick={() => setDialog({ kind: 'bulk', rows: toLink })} data-testid="bulk-link">
                  <Link2 size={14} aria-hidden /> Link {toLink.length > 0 ? plural(toLink.length, 'group', 'groups') : 'selected'}
                </button>
                <button type="button" className="button button-secondary button-sm" disabled={readOnly || toPull.length === 0}
                  title={readOnly ? conn?.message : toPull.length === 0 ? 'None of the selected groups is linked' : undefined}
                  onClick={() => pull({ xpmGroupUuids: toPull.map((r) => r.uuid) })} data-testid="bulk-pull">
                  <CloudDownload size={14} aria-hidden /> Pull {toPull.length > 0 ? plural(toPull.length, 'group', 'groups') : 'selected'}
                </button>
                <button type="button" className="button button-ghost button-sm" onClick={() => setSelected(new Set())}>
                  Clear selection
                </button>
              </div>
            </div>
          )}

          {rows.length === 0 ? (
            <div className="card">
              <EmptyState compact testId="sync-no-match" icon={<Search size={24} />}
                title={q ? `No groups match “${q}”` : status === 'linked' ? 'No group is linked yet' : status === 'unlinked' ? 'Every group is linked' : 'No client groups in XPM'}
                action={q || status ? (
                  <button type="button" className="button button-secondary" onClick={() => { setQuery(''); setStatus('') }}>
                    Show all groups
                  </button>
                ) : undefined}>
                {!q && !status && <p>Your practice has no client groups in XPM yet. Create them in XPM, or export a local group from its page.</p>}
              </EmptyState>
            </div>
          ) : (
            <div className="card card-flush">
              <XpmGroupsTable
                rows={rows}
                sort={sort}
                desc={desc}
                onSort={onSort}
                selected={selected}
                onSelect={onSelect}
                readOnly={readOnly}
                readOnlyReason={conn?.message}
                busy={busy}
                onLinkNew={(r) => void linkNew(r)}
                onLinkExisting={(r) => setDialog({ kind: 'linkExisting', row: r })}
                onUnlink={(r) => setDialog({ kind: 'unlink', row: r })}
                onPull={(r) => pull({ xpmGroupUuids: [r.uuid] })}
              />
            </div>
          )}
          <p className="table-note">
            Each XPM group links to exactly one local group, and each local group to one XPM group. Linking and unlinking
            never delete anything.
          </p>
        </>
      )}

      {dialog?.kind === 'linkExisting' && (
        <LinkExistingDialog row={dialog.row} onClose={close} onLinked={(r) => { close(); linked(r) }} />
      )}
      {dialog?.kind === 'unlink' && dialog.row.link?.localGroupId && (
        <UnlinkDialog
          localGroupId={dialog.row.link.localGroupId}
          name={dialog.row.link.localGroupName}
          onClose={close}
          onUnlinked={(r) => {
            close()
            if (notice?.uuid === dialog.row.uuid) setNotice(undefined)
            toast(r.message)
            void reload()
          }}
        />
      )}
      {dialog?.kind === 'bulk' && (
        <BulkLinkDialog rows={dialog.rows} onClose={close} onStarted={(j) => { close(); setBulk(j); setSelected(new Set()) }} />
      )}
      {dialog?.kind === 'pull' && (
        <PullStartDialog request={dialog.request} onClose={close} onStarted={(p) => { close(); openPull(p.id) }} onOpenPull={(id) => { close(); openPull(id) }} />
      )}
      {dialog?.kind === 'rules' && <KindRulesDialog onClose={close} />}
    </div>
  )
}

function BulkDone({ job, summary, onDismiss, onResume }: { job: JobInfo; summary?: BulkSummary; onDismiss: () => void; onResume?: () => void }) {
  const failed = job.state === 'failed'
  return (
    <div className="job-summary" data-testid="bulk-summary">
      <div className="job-progress-head">
        <div className="job-progress-title">
          {failed ? 'Linking stopped' : job.state === 'canceled' ? 'Linking cancelled' : 'Linking finished'}
        </div>
        <div className="banner-actions">
          {onResume && <button type="button" className="button button-secondary button-sm" onClick={onResume}>Resume</button>}
          <button type="button" className="icon-button icon-button-sm" aria-label="Dismiss" onClick={onDismiss}>
            <X size={14} aria-hidden />
          </button>
        </div>
      </div>
      {failed && job.error && (
        <p className="job-progress-message">
          {job.error.message} {job.error.hint}
        </p>
      )}
      {summary && <p className="job-progress-message" data-testid="bulk-summary-message">{summary.message}</p>}
      {summary && summary.problems.length > 0 && (
        <ul className="problem-list">
          {summary.problems.map((p) => (
            <li key={p.xpmGroupUuid}>
              <strong>{p.name}</strong>: {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function BulkStopped({ job, onResume, onDismiss }: { job: JobInfo; onResume: () => void; onDismiss: () => void }) {
  return (
    <div className="job-summary" data-testid="bulk-stopped">
      <div className="job-progress-head">
        <div className="job-progress-title">{job.title}</div>
        <div className="banner-actions">
          <button type="button" className="button button-primary button-sm" onClick={onResume}>Resume</button>
          <button type="button" className="button button-ghost button-sm" onClick={onDismiss}>Dismiss</button>
        </div>
      </div>
      <p className="job-progress-message">
        {job.interrupted
          ? 'Interrupted when Structura closed. Groups linked before that stay linked; Resume links the rest.'
          : job.error
            ? `${job.error.message} ${job.error.hint ?? ''}`
            : job.message}
      </p>
    </div>
  )
}
