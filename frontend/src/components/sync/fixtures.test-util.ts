// Payloads shaped like the backend's (docs/sync-groups.md, docs/pull.md), for
// the sync screens' unit tests.
import type { GroupList, JobInfo, PullInfo, ReviewItem, ReviewSummary, XPMGroupRow } from '../../bridge/sync'

export const T0 = '2026-11-20T09:15:00Z'

export function row(over: Partial<XPMGroupRow> & { uuid: string; name: string }): XPMGroupRow {
  return {
    memberCount: 5,
    taxable: 'No',
    webUrl: '',
    firstSeenAt: T0,
    lastSeenAt: T0,
    changedAt: T0,
    deletedInXpm: false,
    ...over,
  }
}

export const ROSSI = row({ uuid: 'u-rossi', name: 'Rossi Family', memberCount: 5 })
export const CHEN = row({
  uuid: 'u-chen',
  name: 'Chen Family Group',
  memberCount: 5,
  link: { localGroupId: 7, localGroupName: 'Chen Family', linkedAt: T0, lastPulledAt: undefined },
})
export const PATEL = row({
  uuid: 'u-patel',
  name: 'Patel Medical',
  memberCount: 6,
  link: { localGroupId: 9, localGroupName: 'Patel Medical', linkedAt: T0, lastPulledAt: '2026-03-03T10:00:00Z' },
})
export const GONE = row({ uuid: 'u-gone', name: 'Old Group', memberCount: undefined, deletedInXpm: true, deletedAt: T0 })

export function list(groups: XPMGroupRow[], over: Partial<GroupList> = {}): GroupList {
  return {
    connection: { state: 'connected', tenant: { id: 't1', name: 'Harbourside Accounting' }, readOnly: false },
    discoveredAt: T0,
    counts: {
      total: groups.length,
      linked: groups.filter((g) => g.link).length,
      unlinked: groups.filter((g) => !g.link && !g.deletedInXpm).length,
      deleted: groups.filter((g) => g.deletedInXpm).length,
    },
    groups,
    ...over,
  }
}

export function job(over: Partial<JobInfo> & { id: number; kind: string }): JobInfo {
  return {
    title: 'Link 3 XPM groups',
    state: 'running',
    stage: 'link',
    done: 0,
    total: 3,
    message: '',
    etaSeconds: -1,
    canceling: false,
    interrupted: false,
    resumable: false,
    final: false,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  }
}

const zero = { create: 0, update: 0, link: 0, unchanged: 0, skip: 0, add: 0, remove: 0, keep: 0 }

export function summary(over: Partial<ReviewSummary> = {}): ReviewSummary {
  return {
    entities: { ...zero, create: 4, update: 1, link: 1 },
    relationships: { ...zero, create: 9, update: 1, link: 2 },
    memberships: { ...zero, add: 5 },
    needInput: 1,
    flagged: 2,
    conflicts: 1,
    changes: 20,
    message: '1 item needs your decision before anything is written.',
    ...over,
  }
}

export function pullInfo(over: Partial<PullInfo> = {}): PullInfo {
  return {
    id: 3,
    state: 'review',
    title: 'Pull “Rossi Family” from XPM',
    tenantId: 't1',
    groups: [{ xpmUuid: 'u-rossi', name: 'Rossi Family', localGroupId: 11, localName: 'Rossi Family', members: 5, read: true, applied: false }],
    readPlan: { strategy: 'list', calls: 1, duration: 1e9, modifiedSince: null, reason: 'One list of every client is cheaper than reading group by group.', altCalls: 6, altDuration: 6e9 },
    readJobId: 21,
    calls: 1,
    createdAt: T0,
    updatedAt: T0,
    summary: summary(),
    ...over,
  }
}

export const MARCO: ReviewItem = {
  key: 'entity:c-marco',
  type: 'entity',
  action: 'create',
  title: 'Marco Rossi',
  detail: 'Will be created as an individual.',
  entity: {
    xpmUuid: 'c-marco',
    xpmName: 'Marco Rossi',
    businessStructure: 'Individual',
    kind: { kind: 'individual', trustType: '', source: 'table', label: 'Individual', reason: '' },
    match: 'high',
    candidates: [{ entityId: 42, name: 'Marco Rossi', kind: 'individual', level: 'high', reason: 'same name and date of birth, 8 Aug 1959' }],
    values: { kind: 'individual', trustType: '', displayName: 'Marco Rossi', dateOfBirth: '1959-08-08' },
  },
  flags: [{ code: 'match', level: 'warning', message: 'Probably already here: Marco Rossi (same name and date of birth, 8 Aug 1959). Link it, or create a new entity if it is someone else.' }],
  needsInput: true,
  suggested: { key: 'entity:c-marco', action: 'link', entityId: 42 },
  options: [
    { action: 'create', label: 'Create a new entity' },
    { action: 'link', label: 'Link to Marco Rossi (already here)', entityId: 42 },
    { action: 'skip', label: 'Leave it out' },
  ],
}

export const GIULIA: ReviewItem = {
  key: 'entity:c-giulia',
  type: 'entity',
  action: 'update',
  title: 'Giulia Rossi',
  detail: 'Will be updated: 1 field.',
  entity: {
    xpmUuid: 'c-giulia',
    xpmName: 'Giulia Rossi',
    kind: { kind: 'individual', trustType: '', source: 'local', label: 'Individual', reason: '' },
    entityId: 43,
    entityName: 'Giulia Rossi',
    match: 'linked',
    values: { kind: 'individual', trustType: '', displayName: 'Giulia Rossi' },
  },
  changes: [
    { field: 'email', label: 'Email', local: 'giulia@old.example', xpm: 'giulia.rossi@example.com.au', base: 'g@base.example', conflict: true, apply: false },
    { field: 'phone', label: 'Phone', local: '', xpm: '(02) 9555 0101', apply: true },
  ],
  needsInput: false,
  options: [
    { action: 'update', label: 'Update it' },
    { action: 'skip', label: 'Leave it as it is' },
  ],
  suggested: { key: 'entity:c-giulia', action: 'update' },
}
