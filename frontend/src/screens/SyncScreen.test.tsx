import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import SyncScreen from './SyncScreen'
import { ToastProvider } from '../components/Toasts'
import { syncApi, type JobInfo } from '../bridge/sync'
import { CHEN, GONE, PATEL, ROSSI, job, list, T0 } from '../components/sync/fixtures.test-util'

const handlers: { job?: (j: JobInfo) => void; groups?: () => void } = {}

vi.mock('../bridge/sync', async (orig) => {
  const real = await orig<typeof import('../bridge/sync')>()
  const fns = Object.fromEntries(Object.keys(real.syncApi).map((k) => [k, vi.fn()]))
  return {
    ...real,
    syncApi: fns,
    onJobProgress: (fn: (j: JobInfo) => void) => {
      handlers.job = fn
      return () => {}
    },
    onXpmGroupsChanged: (fn: () => void) => {
      handlers.groups = fn
      return () => {}
    },
    onConnectionChanged: () => () => {},
    onPullChanged: () => () => {},
  }
})
vi.mock('../bridge/api', () => ({ onStructureChanged: () => () => {} }))

const m = vi.mocked(syncApi)

const renderScreen = () =>
  render(
    <ToastProvider>
      <SyncScreen />
    </ToastProvider>,
  )

const rowOf = (name: string) => screen.getAllByTestId('xpm-group-row').find((r) => r.getAttribute('data-name') === name)!

beforeEach(() => {
  for (const f of Object.values(m)) (f as ReturnType<typeof vi.fn>).mockReset()
  m.listXPMGroups.mockResolvedValue(list([CHEN, PATEL, ROSSI, GONE]))
  m.listPulls.mockResolvedValue([])
  m.listJobs.mockResolvedValue([])
  window.location.hash = '#/sync'
})
afterEach(cleanup)

describe('SyncScreen (Import groups)', () => {
  it('lists the cached groups with member counts, link status and last pulled', async () => {
    renderScreen()
    await screen.findByText('Rossi Family')
    expect(screen.getByTestId('sync-subtitle').textContent).toContain('Client groups of Harbourside Accounting')
    const chen = within(rowOf('Chen Family Group'))
    expect(chen.getByTestId('xpm-group-status').textContent).toContain('Linked')
    expect(chen.getByRole('link', { name: 'Chen Family' }).getAttribute('href')).toBe('#/groups/7')
    expect(chen.getByText('Never pulled')).toBeTruthy()
    expect(within(rowOf('Patel Medical')).getByText('3 Mar 2026')).toBeTruthy()
    const rossi = within(rowOf('Rossi Family'))
    expect(rossi.getByTestId('xpm-group-status').textContent).toBe('Not linked')
    expect(rossi.getByRole('button', { name: 'Link Rossi Family as a new local group' })).toBeTruthy()
    expect(rossi.getByRole('button', { name: 'Link Rossi Family to an existing local group' })).toBeTruthy()
    expect(within(rowOf('Chen Family Group')).getByRole('button', { name: 'Pull Chen Family Group now' })).toBeTruthy()
    const gone = within(rowOf('Old Group'))
    expect(gone.getByText('Deleted in XPM')).toBeTruthy()
    expect(gone.queryByRole('button')).toBeNull()
    expect(gone.getAllByText('–').length).toBeGreaterThan(0)
    // tabs carry the counts of every cached group
    expect(screen.getByTestId('tab-all').textContent).toContain('4')
    expect(screen.getByTestId('tab-linked').textContent).toContain('2')
    expect(screen.getByTestId('tab-unlinked').textContent).toContain('1')
    expect(screen.getByTestId('tab-deleted').textContent).toContain('1')
    expect(document.body.textContent).not.toMatch(/undefined|null|NaN|u-rossi/)
  })

  it('filters, searches and sorts through the backend', async () => {
    renderScreen()
    await screen.findByText('Rossi Family')
    expect(m.listXPMGroups).toHaveBeenLastCalledWith({ query: '', status: '', sort: 'name', desc: false })

    fireEvent.click(screen.getByTestId('tab-linked'))
    await waitFor(() => expect(m.listXPMGroups).toHaveBeenLastCalledWith({ query: '', status: 'linked', sort: 'name', desc: false }))

    fireEvent.click(screen.getByRole('button', { name: /Members/ }))
    await waitFor(() => expect(m.listXPMGroups).toHaveBeenLastCalledWith({ query: '', status: 'linked', sort: 'members', desc: false }))
    fireEvent.click(screen.getByRole('button', { name: /Members/ }))
    await waitFor(() => expect(m.listXPMGroups).toHaveBeenLastCalledWith({ query: '', status: 'linked', sort: 'members', desc: true }))
    expect(screen.getByRole('button', { name: /Members/ }).closest('th')!.getAttribute('aria-sort')).toBe('descending')

    m.listXPMGroups.mockResolvedValue(list([], { counts: { total: 4, linked: 2, unlinked: 1, deleted: 1 } }))
    fireEvent.change(screen.getByLabelText('Search groups'), { target: { value: 'zzz' } })
    await screen.findByText('No groups match “zzz”', undefined, { timeout: 2000 })
    expect(m.listXPMGroups).toHaveBeenLastCalledWith({ query: 'zzz', status: 'linked', sort: 'members', desc: true })
  })

  it('when disconnected shows the cached groups read-only with a prompt to reconnect; unlink stays available', async () => {
    m.listXPMGroups.mockResolvedValue(
      list([CHEN, ROSSI], {
        connection: {
          state: 'disconnected',
          tenant: { id: 't1', name: 'Harbourside Accounting' },
          readOnly: true,
          message: 'Structura is disconnected from Xero Practice Manager.',
          hint: 'Connect again (Settings → XPM connection) to refresh or link groups.',
        },
      }),
    )
    renderScreen()
    const banner = await screen.findByTestId('readonly-banner')
    expect(banner.textContent).toContain('Structura is disconnected from Xero Practice Manager.')
    expect(within(banner).getByRole('link', { name: 'Reconnect' }).getAttribute('href')).toBe('#/settings')
    expect((screen.getByTestId('refresh-groups') as HTMLButtonElement).disabled).toBe(true)
    expect((within(rowOf('Rossi Family')).getByRole('button', { name: /as a new local group/ }) as HTMLButtonElement).disabled).toBe(true)
    expect((within(rowOf('Chen Family Group')).getByRole('button', { name: /Pull/ }) as HTMLButtonElement).disabled).toBe(true)
    expect((within(rowOf('Chen Family Group')).getByRole('button', { name: 'Unlink Chen Family Group' }) as HTMLButtonElement).disabled).toBe(false)
  })

  it('links as new and says nothing was copied, offering Pull now', async () => {
    renderScreen()
    await screen.findByText('Rossi Family')
    m.linkAsNew.mockResolvedValue({
      localGroup: { id: 11, name: 'Rossi Family', notes: '', createdAt: T0, updatedAt: T0 },
      xpmGroup: ROSSI,
      created: true,
      alreadyLinked: false,
      message: 'Created the local group “Rossi Family” and linked it to the XPM group. Nothing was pulled yet.',
    })
    fireEvent.click(screen.getByRole('button', { name: 'Link Rossi Family as a new local group' }))
    const notice = await screen.findByTestId('link-notice')
    expect(m.linkAsNew).toHaveBeenCalledWith('u-rossi')
    expect(notice.textContent).toContain('Nothing was pulled yet.')
    expect(notice.textContent).toContain('Linking does not copy anything')
    expect(m.estimatePull).not.toHaveBeenCalled()
    expect(m.startPull).not.toHaveBeenCalled()
    m.estimatePull.mockResolvedValue({
      groups: [{ xpmUuid: 'u-rossi', name: 'Rossi Family', localGroupId: 11, localName: 'Rossi Family', members: -1, read: false, applied: false }],
      readPlan: { strategy: 'list', calls: 1, duration: 1e9, modifiedSince: null, reason: 'One list is cheaper.', altCalls: 6, altDuration: 6e9 },
      calls: 1,
      seconds: 1,
      callsLeftToday: 4990,
      fitsToday: true,
      message: 'About 1 XPM call, about a second at the current limits.',
    })
    fireEvent.click(within(notice).getByRole('button', { name: /Pull now/ }))
    const est = await screen.findByTestId('pull-estimate')
    expect(est.textContent).toContain('About 1 XPM call, about a second at the current limits.')
    expect(m.estimatePull).toHaveBeenCalledWith({ xpmGroupUuids: ['u-rossi'], fullRead: false })
    expect(m.startPull).not.toHaveBeenCalled()
  })

  it('shows a refusal of the one-to-one rule with its explanation', async () => {
    renderScreen()
    await screen.findByText('Rossi Family')
    const { AppError } = await import('../bridge/errors')
    m.linkAsNew.mockRejectedValue(
      new AppError({ code: 'conflict', message: 'The XPM group “Rossi Family” is already linked to the local group “Rossi”.', hint: 'An XPM group links to one local group only. Unlink it from “Rossi” first.' }),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Link Rossi Family as a new local group' }))
    const err = await screen.findByTestId('error-banner')
    expect(err.textContent).toContain('already linked to the local group “Rossi”')
    expect(err.textContent).toContain('An XPM group links to one local group only')
  })

  it('shows a discovery while it runs, and ends it even when its last report was missed', async () => {
    const running = job({ id: 4, kind: 'xpm.discover-groups', stage: 'groups', total: 0, message: 'Reading the list of client groups from XPM…', updatedAt: '2026-11-23T10:00:01Z' })
    m.listXPMGroups.mockResolvedValueOnce(list([ROSSI], { refreshing: running }))
    renderScreen()
    const p = await screen.findByTestId('job-progress')
    expect(within(p).getByTestId('job-message').textContent).toBe('Reading the list of client groups from XPM…')
    expect(screen.getByTestId('refresh-groups').textContent).toContain('Refreshing…')
    // a list without a running discovery: the screen asks for the job as it is now
    m.getJob.mockResolvedValue(job({ id: 4, kind: 'xpm.discover-groups', state: 'succeeded', final: false, updatedAt: '2026-11-23T10:00:03Z' }))
    m.listXPMGroups.mockResolvedValue(list([ROSSI, CHEN]))
    act(() => handlers.groups!())
    await waitFor(() => expect(screen.queryByTestId('job-progress')).toBeNull())
    expect(m.getJob).toHaveBeenCalledWith(4)
    expect(screen.getByTestId('refresh-groups').textContent).toContain('Refresh')
    expect(screen.getByTestId('refresh-groups').textContent).not.toContain('Refreshing')
  })

  it('links many groups in one job: progress, cancel and the summary from job:progress events', async () => {
    const more = [ROSSI, { ...ROSSI, uuid: 'u-k', name: 'Kowalski & Sons' }, { ...ROSSI, uuid: 'u-t', name: 'Thompson Pastoral' }]
    m.listXPMGroups.mockResolvedValue(list([CHEN, ...more]))
    m.suggestLocalGroup.mockImplementation(async (uuid: string) => ({
      xpmGroupUuid: uuid,
      xpmGroupName: '',
      best: uuid === 'u-t' ? { id: 5, name: 'Thompson', entityCount: 2, score: 0.9 } : undefined,
      candidates: [{ id: 5, name: 'Thompson', entityCount: 2, score: uuid === 'u-t' ? 0.9 : 0.1 }],
    }))
    renderScreen()
    await screen.findByText('Kowalski & Sons')
    fireEvent.click(screen.getByLabelText('Select every group shown'))
    expect(screen.getByTestId('selection-bar').textContent).toContain('4 groups selected')
    fireEvent.click(screen.getByTestId('bulk-link'))
    const dialog = await screen.findByTestId('bulk-link-dialog')
    await within(dialog).findAllByTestId('bulk-line')
    await waitFor(() => expect((within(dialog).getByLabelText('Local group for Thompson Pastoral') as HTMLSelectElement).value).toBe('5'))
    expect((within(dialog).getByLabelText('Local group for Rossi Family') as HTMLSelectElement).value).toBe('0')

    m.startBulkLink.mockResolvedValue(job({ id: 8, kind: 'xpm.link-groups', state: 'queued' }))
    fireEvent.click(within(dialog).getByRole('button', { name: 'Link 3 groups' }))
    await waitFor(() =>
      expect(m.startBulkLink).toHaveBeenCalledWith([
        { xpmGroupUuid: 'u-rossi', localGroupId: 0 },
        { xpmGroupUuid: 'u-k', localGroupId: 0 },
        { xpmGroupUuid: 'u-t', localGroupId: 5 },
      ]),
    )
    await screen.findByTestId('bulk-job')

    act(() =>
      handlers.job!(job({ id: 8, kind: 'xpm.link-groups', done: 1, total: 3, message: 'Linked 1 of 3: Rossi Family', etaSeconds: 75, callsLeftToday: 4987 })),
    )
    const progress = screen.getByTestId('job-progress')
    expect(within(progress).getByTestId('job-message').textContent).toBe('Linked 1 of 3: Rossi Family')
    expect(within(progress).getByTestId('job-count').textContent).toBe('1 of 3')
    expect(within(progress).getByTestId('job-eta').textContent).toBe('about 75 seconds left')
    expect(within(progress).getByTestId('job-calls').textContent).toBe('4,987 XPM calls left today')
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('33')

    m.cancelJob.mockResolvedValue(job({ id: 8, kind: 'xpm.link-groups', canceling: true }))
    fireEvent.click(within(progress).getByTestId('job-cancel'))
    expect(m.cancelJob).toHaveBeenCalledWith(8)
    act(() => handlers.job!(job({ id: 8, kind: 'xpm.link-groups', done: 1, total: 3, canceling: true })))
    expect(screen.getByTestId('job-cancel').textContent).toContain('Stopping…')

    act(() =>
      handlers.job!(
        job({
          id: 8,
          kind: 'xpm.link-groups',
          state: 'canceled',
          final: true,
          done: 1,
          total: 3,
          summary: {
            requested: 3, linked: 1, createdGroups: 1, alreadyLinked: 0, deletedInXpm: 0, refused: 0, notDone: 2, canceled: true, calls: 1,
            message: 'Linked 1 of 3 groups; 1 new local group created; 2 left untouched (cancelled).',
            problems: [],
          },
        }),
      ),
    )
    const done = screen.getByTestId('bulk-summary')
    expect(done.textContent).toContain('Linking cancelled')
    expect(done.textContent).toContain('2 left untouched (cancelled)')
    expect(screen.queryByTestId('job-progress')).toBeNull()
  })
})
