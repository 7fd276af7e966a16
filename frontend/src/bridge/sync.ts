// Typed access to the Import Groups (issue 7) and Pull (issue 8) bound
// methods, and to the events that follow their background jobs
// (docs/sync-groups.md, docs/pull.md). Like api.ts, every failure arrives as
// an AppError and Go's null slices arrive as empty arrays, so screens never
// test for null. No business rule lives here: every check is the backend's.

import * as App from '../../wailsjs/go/main/App'
import * as Runtime from '../../wailsjs/runtime/runtime'
import type { groupsync, jobs, pull, sync } from '../../wailsjs/go/models'
import { invoke } from './errors'

export type XPMGroupRow = groupsync.XPMGroupRow
export type GroupList = groupsync.GroupList
export type GroupFilter = groupsync.Filter
export type LinkResult = groupsync.LinkResult
export type Suggestions = groupsync.Suggestions
export type ScoredGroup = groupsync.Scored
export type UnlinkPreview = groupsync.UnlinkPreview
export type UnlinkResult = groupsync.UnlinkResult
export type ExportPreview = groupsync.ExportPreview
export type ExportResult = groupsync.ExportResult
export type BulkItem = groupsync.BulkItem
export type JobInfo = jobs.Info
export type PullRequest = pull.Request
export type PullEstimate = pull.Estimate
export type PullInfo = pull.Info
export type PullResult = pull.Result
export type PullReview = pull.Review
export type ReviewQuery = pull.ReviewQuery
export type ReviewItem = sync.Item
export type Decision = sync.Decision
export type ReviewSummary = sync.Summary
export type KindRule = sync.KindRule
export type GroupPlan = sync.GroupPlan

/** Summary of a finished xpm.link-groups job (groupsync.BulkSummary). */
export interface BulkSummary {
  requested: number
  linked: number
  createdGroups: number
  alreadyLinked: number
  deletedInXpm: number
  refused: number
  notDone: number
  canceled: boolean
  calls: number
  message: string
  problems: { xpmGroupUuid: string; name: string; status: string; message: string }[]
}

/** Job kinds this area follows. */
export const JOB_DISCOVER = 'xpm.discover-groups'
export const JOB_LINK_GROUPS = 'xpm.link-groups'
export const JOB_PULL_READ = 'xpm.pull'
export const JOB_PULL_APPLY = 'xpm.pull-apply'

/** Pull states (pull.Info.state). */
export const OPEN_PULL_STATES = ['reading', 'review', 'applying']

function call<T>(f: () => Promise<T>): Promise<T> {
  let p: Promise<T>
  try {
    p = f()
  } catch (e) {
    p = Promise.reject(e)
  }
  return invoke(p)
}

const arr = <T>(x: T[] | null | undefined): T[] => x ?? []

function normList(l: GroupList): GroupList {
  return { ...l, groups: arr(l.groups), counts: l.counts ?? { total: 0, linked: 0, unlinked: 0, deleted: 0 } }
}

function normPull(p: PullInfo): PullInfo {
  const result = p.result
    ? { ...p.result, groups: arr(p.result.groups), skipped: arr(p.result.skipped) }
    : undefined
  return { ...p, groups: arr(p.groups), result }
}

export function normItem(it: ReviewItem): ReviewItem {
  return {
    ...it,
    changes: arr(it.changes),
    flags: arr(it.flags),
    options: arr(it.options),
    groups: arr(it.groups),
    entity: it.entity ? { ...it.entity, candidates: arr(it.entity.candidates) } : undefined,
  }
}

function normReview(r: PullReview): PullReview {
  return {
    ...r,
    pull: normPull(r.pull),
    groups: arr(r.groups),
    rules: arr(r.rules),
    items: arr(r.items).map(normItem),
  }
}

export const syncApi = {
  listXPMGroups: (filter: GroupFilter): Promise<GroupList> => call(() => App.ListXPMGroups(filter)).then(normList),
  refreshXPMGroups: (): Promise<JobInfo> => call(() => App.RefreshXPMGroups()),
  linkAsNew: (uuid: string): Promise<LinkResult> => call(() => App.LinkXPMGroupAsNew(uuid)),
  linkToExisting: (uuid: string, localGroupId: number): Promise<LinkResult> =>
    call(() => App.LinkXPMGroupToExisting(uuid, localGroupId)),
  suggestLocalGroup: (uuid: string): Promise<Suggestions> =>
    call(() => App.SuggestLocalGroup(uuid)).then((s) => ({ ...s, candidates: arr(s.candidates) })),
  unlinkPreview: (localGroupId: number): Promise<UnlinkPreview> => call(() => App.UnlinkGroupPreview(localGroupId)),
  unlink: (localGroupId: number): Promise<UnlinkResult> => call(() => App.UnlinkGroup(localGroupId)),
  exportPreview: (localGroupId: number): Promise<ExportPreview> =>
    call(() => App.ExportGroupPreview(localGroupId)).then((p) => ({ ...p, members: arr(p.members), sameName: arr(p.sameName) })),
  exportGroup: (localGroupId: number, allowSameName: boolean): Promise<ExportResult> =>
    call(() => App.ExportGroupToXPM(localGroupId, allowSameName)).then((r) => ({ ...r, membersNotInXpm: arr(r.membersNotInXpm) })),
  startBulkLink: (items: BulkItem[]): Promise<JobInfo> => call(() => App.StartBulkLink(items)),

  listJobs: (): Promise<JobInfo[]> => call(() => App.ListJobs()).then(arr),
  getJob: (id: number): Promise<JobInfo> => call(() => App.GetJob(id)),
  cancelJob: (id: number): Promise<JobInfo> => call(() => App.CancelJob(id)),
  resumeJob: (id: number): Promise<JobInfo> => call(() => App.ResumeJob(id)),

  estimatePull: (req: Partial<PullRequest>): Promise<PullEstimate> =>
    call(() => App.EstimatePull(pullRequest(req))).then((e) => ({ ...e, groups: arr(e.groups) })),
  startPull: (req: Partial<PullRequest>): Promise<PullInfo> => call(() => App.StartPull(pullRequest(req))).then(normPull),
  getPull: (id: number): Promise<PullInfo> => call(() => App.GetPull(id)).then(normPull),
  listPulls: (limit: number): Promise<PullInfo[]> => call(() => App.ListPulls(limit)).then((l) => arr(l).map(normPull)),
  pullReview: (id: number, q: Partial<ReviewQuery>): Promise<PullReview> =>
    call(() => App.PullReview(id, { filter: '', groupUuid: '', search: '', offset: 0, limit: 100, ...q })).then(normReview),
  decidePull: (id: number, decisions: Decision[]): Promise<PullReview> =>
    call(() => App.DecidePull(id, decisions)).then(normReview),
  acceptSuggestions: (id: number): Promise<PullReview> => call(() => App.AcceptPullSuggestions(id)).then(normReview),
  applyPull: (id: number): Promise<PullInfo> => call(() => App.ApplyPull(id)).then(normPull),
  cancelPull: (id: number): Promise<PullInfo> => call(() => App.CancelPull(id)).then(normPull),
  discardPull: (id: number): Promise<PullInfo> => call(() => App.DiscardPull(id)).then(normPull),
  resumePull: (id: number): Promise<PullInfo> => call(() => App.ResumePull(id)).then(normPull),
  kindRules: (): Promise<KindRule[]> => call(() => App.KindRules()).then(arr),
  deleteKindRule: (label: string): Promise<void> => call(() => App.DeleteKindRule(label)),
}

export type SyncApi = typeof syncApi

function pullRequest(r: Partial<PullRequest>): PullRequest {
  return {
    xpmGroupUuids: r.xpmGroupUuids ?? [],
    localGroupIds: r.localGroupIds ?? [],
    all: !!r.all,
    fullRead: !!r.fullRead,
    ...(r.strategy ? { strategy: r.strategy } : {}),
  }
}

// ---------- events ----------

export const JOB_PROGRESS = 'job:progress'
export const PULL_CHANGED = 'pull:changed'
export const XPMGROUPS_CHANGED = 'xpmgroups:changed'
export const CONNECTION_CHANGED = 'connection:changed'

function hasRuntime(): boolean {
  return typeof window !== 'undefined' && !!(window as unknown as { runtime?: unknown }).runtime
}

/** Subscribes to a backend event; returns the unsubscribe function. Without
 * a Wails runtime (unit tests, a plain browser tab) it does nothing. */
function onEvent<T>(name: string, fn: (payload: T) => void): () => void {
  if (!hasRuntime()) return () => {}
  try {
    const off = Runtime.EventsOn(name, (payload?: unknown) => fn(payload as T))
    return typeof off === 'function' ? off : () => {}
  } catch {
    return () => {}
  }
}

const stamp = (t: unknown): number => {
  const n = typeof t === 'string' ? Date.parse(t) : NaN
  return Number.isNaN(n) ? 0 : n
}

/** The later of two reports of the same job: events may arrive out of order,
 * and a job's final report is never replaced by an earlier one. */
export function laterJob(prev: JobInfo | undefined, next: JobInfo): JobInfo {
  if (!prev || prev.id !== next.id) return next
  if (prev.final && !next.final) return prev
  if (next.final && !prev.final) return next
  return stamp(next.updatedAt) >= stamp(prev.updatedAt) ? next : prev
}

/** Every progress report and state change of a background job. */
export function onJobProgress(fn: (job: JobInfo) => void): () => void {
  return onEvent<JobInfo>(JOB_PROGRESS, (j) => {
    if (j && typeof j === 'object' && typeof j.id === 'number') fn(j)
  })
}

/** A pull changed state, or its summary changed after decisions. */
export function onPullChanged(fn: (p: PullInfo) => void): () => void {
  return onEvent<PullInfo>(PULL_CHANGED, (p) => {
    if (p && typeof p === 'object' && typeof p.id === 'number') fn(normPull(p))
  })
}

/** The cached XPM groups or their links changed. */
export function onXpmGroupsChanged(fn: () => void): () => void {
  return onEvent<unknown>(XPMGROUPS_CHANGED, () => fn())
}

/** The XPM connection changed (connect, disconnect, reconnect needed). */
export function onConnectionChanged(fn: () => void): () => void {
  return onEvent<unknown>(CONNECTION_CHANGED, () => fn())
}
