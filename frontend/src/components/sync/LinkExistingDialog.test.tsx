import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import LinkExistingDialog from './LinkExistingDialog'
import { syncApi } from '../../bridge/sync'
import { AppError } from '../../bridge/errors'
import { CHEN, ROSSI, T0 } from './fixtures.test-util'

vi.mock('../../bridge/sync', () => ({ syncApi: { suggestLocalGroup: vi.fn(), linkToExisting: vi.fn() } }))
const m = vi.mocked(syncApi)

beforeEach(() => {
  m.suggestLocalGroup.mockReset()
  m.linkToExisting.mockReset()
})
afterEach(cleanup)

const CANDIDATES = [
  { id: 4, name: 'Rossi', entityCount: 3, score: 0.86 },
  { id: 2, name: 'Chen Family', entityCount: 4, score: 0.1 },
]

describe('LinkExistingDialog', () => {
  it('preselects the best name match among the unlinked local groups and links to it', async () => {
    m.suggestLocalGroup.mockResolvedValue({ xpmGroupUuid: 'u-rossi', xpmGroupName: 'Rossi Family', best: CANDIDATES[0], candidates: CANDIDATES })
    const onLinked = vi.fn()
    render(<LinkExistingDialog row={ROSSI} onClose={() => {}} onLinked={onLinked} />)
    const list = await screen.findByTestId('candidate-list')
    const radios = within(list).getAllByRole('radio') as HTMLInputElement[]
    expect(radios.map((r) => r.checked)).toEqual([true, false])
    expect(within(list).getAllByTestId('candidate')[0].textContent).toContain('Best match')
    expect(screen.getByText(/“Rossi” is the closest name, so it is chosen for you/)).toBeTruthy()

    const result = { localGroup: { id: 4, name: 'Rossi', notes: '', createdAt: T0, updatedAt: T0 }, xpmGroup: ROSSI, created: false, alreadyLinked: false, message: 'Linked “Rossi” to the XPM group “Rossi Family”.' }
    m.linkToExisting.mockResolvedValue(result)
    fireEvent.click(screen.getByRole('button', { name: 'Link to “Rossi”' }))
    await waitFor(() => expect(onLinked).toHaveBeenCalledWith(result))
    expect(m.linkToExisting).toHaveBeenCalledWith('u-rossi', 4)
  })

  it('preselects nothing when no name is close, and links to the group chosen', async () => {
    m.suggestLocalGroup.mockResolvedValue({ xpmGroupUuid: 'u-rossi', xpmGroupName: 'Rossi Family', candidates: CANDIDATES })
    render(<LinkExistingDialog row={ROSSI} onClose={() => {}} onLinked={() => {}} />)
    const list = await screen.findByTestId('candidate-list')
    expect((within(list).getAllByRole('radio') as HTMLInputElement[]).some((r) => r.checked)).toBe(false)
    expect((screen.getByRole('button', { name: 'Link' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.click(within(list).getAllByRole('radio')[1])
    m.linkToExisting.mockResolvedValue({} as never)
    fireEvent.click(screen.getByRole('button', { name: 'Link to “Chen Family”' }))
    await waitFor(() => expect(m.linkToExisting).toHaveBeenCalledWith('u-rossi', 2))
  })

  it('keeps the dialog open with the one-to-one explanation when the link is refused', async () => {
    m.suggestLocalGroup.mockResolvedValue({ xpmGroupUuid: 'u-chen', xpmGroupName: 'Chen Family Group', best: CANDIDATES[1], candidates: CANDIDATES })
    const onLinked = vi.fn()
    render(<LinkExistingDialog row={CHEN} onClose={() => {}} onLinked={onLinked} />)
    await screen.findByTestId('candidate-list')
    m.linkToExisting.mockRejectedValue(
      new AppError({
        code: 'conflict',
        message: '“Chen Family” is already linked to the XPM group “Chen Holdings”.',
        hint: 'A local group links to one XPM group only. Unlink it first, or choose another local group.',
      }),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Link to “Chen Family”' }))
    const err = await screen.findByTestId('error-banner')
    expect(err.textContent).toContain('already linked to the XPM group “Chen Holdings”')
    expect(err.textContent).toContain('A local group links to one XPM group only')
    expect(screen.getByTestId('link-existing-dialog')).toBeTruthy()
    expect(onLinked).not.toHaveBeenCalled()
  })

  it('explains the one-to-one rule when every local group is linked already', async () => {
    m.suggestLocalGroup.mockResolvedValue({ xpmGroupUuid: 'u-rossi', xpmGroupName: 'Rossi Family', candidates: [] })
    render(<LinkExistingDialog row={ROSSI} onClose={() => {}} onLinked={() => {}} />)
    const none = await screen.findByTestId('no-candidates')
    expect(none.textContent).toContain('Every local group is already linked to an XPM group.')
    expect(none.textContent).toContain('An XPM group links to one local group only')
    expect(screen.queryByRole('button', { name: /^Link/ })).toBeNull()
  })
})
