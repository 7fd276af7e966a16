import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import PullScreen from './PullScreen'
import { syncApi, type JobInfo, type PullInfo } from '../bridge/sync'
import { job, pullInfo } from '../components/sync/fixtures.test-util'

const h: { job?: (j: JobInfo) => void; pull?: (p: PullInfo) => void } = {}

vi.mock('../bridge/sync', async (orig) => {
  const real = await orig<typeof import('../bridge/sync')>()
  const fns = Object.fromEntries(Object.keys(real.syncApi).map((k) => [k, vi.fn()]))
  return {
    ...real,
    syncApi: fns,
    onJobProgress: (fn: (j: JobInfo) => void) => ((h.job = fn), () => {}),
    onPullChanged: (fn: (p: PullInfo) => void) => ((h.pull = fn), () => {}),
  }
})
const m = vi.mocked(syncApi)

beforeEach(() => {
  for (const f of Object.values(m)) (f as ReturnType<typeof vi.fn>).mockReset()
})
afterEach(cleanup)

describe('PullScreen', () => {
  it('follows the read live, cancels it, and opens the review when the backend says so', async () => {
    m.getPull.mockResolvedValue(pullInfo({ state: 'reading', summary: undefined }))
    m.getJob.mockResolvedValue(job({ id: 21, kind: 'xpm.pull', state: 'queued', total: 0 }))
    render(<PullScreen id={3} />)
    await screen.findByTestId('pull-progress')
    expect(screen.getByText(/Nothing is written to Structura while reading/)).toBeTruthy()
    act(() => h.job!(job({ id: 21, kind: 'xpm.pull', stage: 'read-groups', done: 2, total: 6, etaSeconds: 4, callsLeftToday: 4980, message: 'Reading group 3 of 6 from XPM: Rossi Family' })))
    const p = screen.getByTestId('pull-progress')
    expect(within(p).getByTestId('job-message').textContent).toBe('Reading group 3 of 6 from XPM: Rossi Family')
    expect(within(p).getByTestId('job-count').textContent).toBe('2 of 6')
    expect(within(p).getByTestId('job-stage').textContent).toBe('Reading the groups from XPM')
    expect(within(p).getByTestId('job-calls').textContent).toBe('4,980 XPM calls left today')
    // another job's events are not this pull's
    act(() => h.job!(job({ id: 99, kind: 'xpm.link-groups', message: 'Linking' })))
    expect(within(p).getByTestId('job-message').textContent).toBe('Reading group 3 of 6 from XPM: Rossi Family')

    m.cancelPull.mockResolvedValue(pullInfo({ state: 'reading', summary: undefined }))
    fireEvent.click(within(p).getByTestId('job-cancel'))
    await waitFor(() => expect(m.cancelPull).toHaveBeenCalledWith(3))

    m.pullReview.mockResolvedValue({ pull: pullInfo(), summary: pullInfo().summary!, groups: [], rules: [], items: [], total: 0, offset: 0 })
    act(() => h.pull!(pullInfo({ state: 'review' })))
    await screen.findByTestId('pull-review')
    expect(screen.getByTestId('pull-screen').getAttribute('data-state')).toBe('review')
  })

  it('shows a read stopped by a problem with Resume', async () => {
    m.getPull.mockResolvedValue(pullInfo({ state: 'reading', summary: undefined, error: { code: 'unavailable', message: 'Structura could not reach Xero Practice Manager.', hint: 'Check your internet connection.' } }))
    m.getJob.mockResolvedValue(job({ id: 21, kind: 'xpm.pull', state: 'failed', resumable: true }))
    render(<PullScreen id={3} />)
    const stopped = await screen.findByTestId('pull-stopped')
    expect(stopped.textContent).toContain('Structura could not reach Xero Practice Manager.')
    m.resumePull.mockResolvedValue(pullInfo({ state: 'reading', summary: undefined }))
    fireEvent.click(within(stopped).getByRole('button', { name: 'Resume' }))
    await waitFor(() => expect(m.resumePull).toHaveBeenCalledWith(3))
    await waitFor(() => expect(screen.queryByTestId('pull-stopped')).toBeNull())
  })

  it('ends with what changed, what was left out and why, and a link to each group', async () => {
    m.getPull.mockResolvedValue(
      pullInfo({
        state: 'applied',
        result: {
          groups: [{ xpmUuid: 'u-rossi', name: 'Rossi Family', localGroupId: 11, applied: true, created: 5, updated: 0, linked: 0, membersAdded: 5, membersRemoved: 0, relationshipsCreated: 9, relationshipsUpdated: 0, relationshipsLinked: 0, relationshipsDeleted: 0 }],
          created: 5, updated: 0, linked: 0, membersAdded: 5, membersRemoved: 0, relationshipsCreated: 9, relationshipsUpdated: 0, relationshipsLinked: 0, relationshipsDeleted: 0,
          unchanged: 0, skipped: [{ key: 'rel:x', title: 'Giulia Rossi — “Godparent” — Sofia Rossi', why: 'XPM relationship type Structura does not know.' }], skippedTotal: 1, flagged: 1, changes: 19, groupsApplied: 1,
          message: 'Pulled: 5 entities created, 5 memberships added, 9 relationships recorded. 1 item left out (see why).',
        },
      }),
    )
    render(<PullScreen id={3} />)
    const res = await screen.findByTestId('pull-result')
    expect(within(res).getByTestId('pull-result-message').textContent).toContain('5 entities created')
    expect(within(res).getByTestId('pull-result-counts').textContent).toContain('Relationships recorded9')
    expect(within(res).getByRole('link', { name: 'Open Rossi Family' }).getAttribute('href')).toBe('#/groups/11')
    expect(within(res).getByTestId('pull-skipped').textContent).toContain('XPM relationship type Structura does not know.')
    expect(document.body.textContent).not.toMatch(/undefined|NaN|u-rossi|rel:x/)
  })
})
