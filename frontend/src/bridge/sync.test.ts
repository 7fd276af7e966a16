import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { laterJob, onJobProgress, syncApi, type JobInfo } from './sync'
import { AppError, UI_PREFIX } from './errors'

type Win = Window & { go?: unknown; runtime?: unknown }

const j = (over: Partial<JobInfo>): JobInfo =>
  ({ id: 1, kind: 'xpm.discover-groups', title: '', state: 'running', stage: '', done: 0, total: 0, message: '', etaSeconds: -1, canceling: false, interrupted: false, resumable: false, final: false, createdAt: '', updatedAt: '2026-11-23T10:00:00.100Z', ...over }) as JobInfo

describe('sync bridge', () => {
  const w = window as Win
  beforeEach(() => {
    delete w.go
    delete w.runtime
  })
  afterEach(() => {
    delete w.go
    delete w.runtime
  })

  it('keeps the latest report of a job, and never replaces its final report', () => {
    const early = j({ message: 'Reading the list', updatedAt: '2026-11-23T10:00:00.100Z' })
    const late = j({ message: 'Counting members', updatedAt: '2026-11-23T10:00:00.300Z' })
    const fin = j({ state: 'succeeded', final: true, updatedAt: '2026-11-23T10:00:00.200Z' })
    expect(laterJob(undefined, early)).toBe(early)
    expect(laterJob(late, early)).toBe(late)
    expect(laterJob(early, late)).toBe(late)
    expect(laterJob(fin, late)).toBe(fin)
    expect(laterJob(late, fin)).toBe(fin)
    const other = j({ id: 2 })
    expect(laterJob(fin, other)).toBe(other)
  })

  it('turns Go nulls into empty lists and refusals into AppErrors', async () => {
    const ListXPMGroups = vi.fn().mockResolvedValue({ connection: { state: 'connected', tenant: { id: 't', name: 'P' }, readOnly: false }, counts: null, groups: null })
    const StartBulkLink = vi.fn().mockRejectedValue(UI_PREFIX + JSON.stringify({ code: 'conflict', message: '“B” is chosen for two XPM groups (“A” and “C”).' }))
    w.go = { main: { App: { ListXPMGroups, StartBulkLink } } }
    const l = await syncApi.listXPMGroups({ query: '', status: '', sort: 'name', desc: false })
    expect(l.groups).toEqual([])
    expect(l.counts).toEqual({ total: 0, linked: 0, unlinked: 0, deleted: 0 })
    const err = await syncApi.startBulkLink([{ xpmGroupUuid: 'a', localGroupId: 1 }]).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err.code).toBe('conflict')
  })

  it('fills in a pull request and subscribes to job progress only with a runtime', async () => {
    const EstimatePull = vi.fn().mockResolvedValue({ groups: null })
    w.go = { main: { App: { EstimatePull } } }
    const e = await syncApi.estimatePull({ xpmGroupUuids: ['u'] })
    expect(EstimatePull).toHaveBeenCalledWith({ xpmGroupUuids: ['u'], localGroupIds: [], all: false, fullRead: false })
    expect(e.groups).toEqual([])
    expect(typeof onJobProgress(() => {})).toBe('function')
  })
})
