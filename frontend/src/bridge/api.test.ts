import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, onStructureChanged } from './api'
import { AppError, UI_PREFIX } from './errors'

type Win = Window & { go?: unknown; runtime?: unknown }

describe('api bridge', () => {
  const w = window as Win
  beforeEach(() => {
    delete w.go
    delete w.runtime
  })
  afterEach(() => {
    delete w.go
    delete w.runtime
  })

  it('turns a refused call into an AppError with per-field messages', async () => {
    const payload = { code: 'validation', message: 'Please correct the highlighted fields.', fields: { abn: 'This ABN is not valid.' } }
    const CreateEntity = vi.fn().mockRejectedValue(UI_PREFIX + JSON.stringify(payload))
    w.go = { main: { App: { CreateEntity } } }
    const err = await api.createEntity(1, { kind: 'company' } as never).catch((e) => e)
    expect(CreateEntity).toHaveBeenCalledWith(1, { kind: 'company' })
    expect(err).toBeInstanceOf(AppError)
    expect(err.code).toBe('validation')
    expect(err.field('abn')).toBe('This ABN is not valid.')
  })

  it('never passes raw Go text through', async () => {
    w.go = { main: { App: { ListGroups: vi.fn().mockRejectedValue('sql: database is locked') } } }
    const err = await api.listGroups('').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err.code).toBe('internal')
    expect(err.message).not.toContain('sql')
  })

  it('reports a missing backend as an AppError instead of throwing a TypeError', async () => {
    const err = await api.info().catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err.message).toBe('Something went wrong inside Structura.')
  })

  it('normalises missing lists to empty arrays', async () => {
    w.go = { main: { App: { GetGroup: vi.fn().mockResolvedValue({ id: 3, name: 'G', entities: null, relationships: null, external: null }), ListGroups: vi.fn().mockResolvedValue(null) } } }
    const g = await api.getGroup(3)
    expect(g.entities).toEqual([])
    expect(g.relationships).toEqual([])
    expect(g.external).toEqual([])
    expect(await api.listGroups('x')).toEqual([])
  })

  it('subscribes to structure:changed through the Wails runtime and unsubscribes', () => {
    const off = vi.fn()
    const EventsOnMultiple = vi.fn().mockReturnValue(off)
    w.runtime = { EventsOnMultiple }
    const seen: unknown[] = []
    const unsubscribe = onStructureChanged((c) => seen.push(c))
    expect(EventsOnMultiple).toHaveBeenCalledWith('structure:changed', expect.any(Function), -1)
    const cb = EventsOnMultiple.mock.calls[0][1]
    cb({ kind: 'entity', id: 4 })
    cb()
    expect(seen).toEqual([{ kind: 'entity', id: 4 }, {}])
    unsubscribe()
    expect(off).toHaveBeenCalled()
  })

  it('does nothing without a runtime (plain browser, tests)', () => {
    const unsubscribe = onStructureChanged(() => {})
    expect(typeof unsubscribe).toBe('function')
    unsubscribe()
  })
})
