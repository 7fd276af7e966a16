import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import GroupXpmBar from './GroupXpmBar'
import { ToastProvider } from '../Toasts'
import { syncApi } from '../../bridge/sync'
import { CHEN, PATEL, list } from './fixtures.test-util'

vi.mock('../../bridge/sync', () => ({
  syncApi: { listXPMGroups: vi.fn(), estimatePull: vi.fn(), exportPreview: vi.fn() },
  onXpmGroupsChanged: () => () => {},
  onConnectionChanged: () => () => {},
  OPEN_PULL_STATES: ['reading', 'review', 'applying'],
}))
const m = vi.mocked(syncApi)

beforeEach(() => {
  for (const f of Object.values(m)) f.mockReset()
  m.listXPMGroups.mockResolvedValue(list([CHEN, PATEL]))
  m.estimatePull.mockReturnValue(new Promise(() => {}))
  m.exportPreview.mockReturnValue(new Promise(() => {}))
})
afterEach(cleanup)

const renderBar = (id: number, linked: boolean) =>
  render(
    <ToastProvider>
      <GroupXpmBar groupId={id} groupName="Patel Medical" linked={linked} onChanged={() => {}} />
    </ToastProvider>,
  )

describe('GroupXpmBar', () => {
  it('names the XPM group a linked group is linked to, when it was last pulled, and pulls it by its local id', async () => {
    renderBar(9, true)
    await screen.findByText('XPM: linked to “Patel Medical”')
    expect(screen.getByTestId('group-xpm-bar').textContent).toContain('last pulled on 3 Mar 2026')
    fireEvent.click(screen.getByTestId('group-pull-now'))
    expect(await screen.findByTestId('pull-start-dialog')).toBeTruthy()
    expect(m.estimatePull).toHaveBeenCalledWith({ localGroupIds: [9], fullRead: false })
  })

  it('offers Export to XPM for a group with no link', async () => {
    renderBar(4, false)
    expect(screen.getByTestId('group-xpm-status').textContent).toBe('XPM: not linked')
    fireEvent.click(screen.getByRole('button', { name: /Export to XPM/ }))
    expect(await screen.findByTestId('export-dialog')).toBeTruthy()
    expect(m.exportPreview).toHaveBeenCalledWith(4)
  })
})
