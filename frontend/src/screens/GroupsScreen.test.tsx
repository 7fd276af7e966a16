import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import GroupsScreen from './GroupsScreen'
import { ToastProvider } from '../components/Toasts'
import { api } from '../bridge/api'
import { AppError } from '../bridge/errors'

vi.mock('../bridge/api', () => ({
  api: { listGroups: vi.fn(), createGroup: vi.fn() },
  onStructureChanged: () => () => {},
}))

const listGroups = vi.mocked(api.listGroups)
const createGroup = vi.mocked(api.createGroup)

const renderScreen = () =>
  render(
    <ToastProvider>
      <GroupsScreen />
    </ToastProvider>,
  )

beforeEach(() => {
  listGroups.mockReset()
  createGroup.mockReset()
  window.location.hash = ''
})
afterEach(cleanup)

describe('GroupsScreen', () => {
  it('explains what a group is when there is none, and offers to create one', async () => {
    listGroups.mockResolvedValue([])
    renderScreen()
    await screen.findByText('No groups yet')
    expect(screen.getByTestId('groups-empty').textContent).toMatch(/A group holds one client family or business/)
    expect(screen.getAllByRole('button', { name: /New group/ }).length).toBeGreaterThan(0)
  })

  it('lists groups with their counts and links to each', async () => {
    listGroups.mockResolvedValue([
      { id: 4, name: 'Nguyen Family Group', notes: '', entityCount: 3, relationshipCount: 2, linked: false, createdAt: '', updatedAt: '', lastChangedAt: '' },
    ])
    renderScreen()
    const link = await screen.findByRole('link', { name: 'Nguyen Family Group' })
    expect(link.getAttribute('href')).toBe('#/groups/4')
    const cells = Array.from(screen.getByTestId('group-row').querySelectorAll('td')).map((td) => td.textContent)
    expect(cells.slice(1, 3)).toEqual(['3', '2'])
  })

  it('searches through the backend', async () => {
    listGroups.mockResolvedValue([
      { id: 4, name: 'Nguyen Family Group', notes: '', entityCount: 3, relationshipCount: 2, linked: false, createdAt: '', updatedAt: '', lastChangedAt: '' },
    ])
    renderScreen()
    await screen.findByRole('link', { name: 'Nguyen Family Group' })
    listGroups.mockResolvedValue([])
    fireEvent.change(screen.getByLabelText('Search groups'), { target: { value: 'smith' } })
    await screen.findByText('No groups match “smith”', undefined, { timeout: 2000 })
    expect(listGroups).toHaveBeenLastCalledWith('smith')
  })

  it('creates a group and opens it; a refused name stays in the dialog with the reason', async () => {
    listGroups.mockResolvedValue([])
    renderScreen()
    await screen.findByText('No groups yet')
    fireEvent.click(screen.getAllByRole('button', { name: /New group/ })[0])
    createGroup.mockRejectedValueOnce(new AppError({ code: 'validation', message: 'x', fields: { name: 'Enter a name for the group, for example "Smith Family".' } }))
    fireEvent.click(screen.getByRole('button', { name: 'Create group' }))
    await screen.findByText('Enter a name for the group, for example "Smith Family".')
    expect(screen.getByRole('dialog')).toBeTruthy()

    createGroup.mockResolvedValueOnce({ id: 12, name: 'Smith Family', notes: '', createdAt: '', updatedAt: '' })
    fireEvent.change(screen.getByLabelText('Group name'), { target: { value: 'Smith Family' } })
    await act(async () => {
      fireEvent.submit(screen.getByLabelText('Group name').closest('form')!)
    })
    await waitFor(() => expect(window.location.hash).toBe('#/groups/12'))
    expect(createGroup).toHaveBeenLastCalledWith('Smith Family', '')
    expect(screen.getByTestId('toast').textContent).toContain('Group “Smith Family” created')
  })
})
