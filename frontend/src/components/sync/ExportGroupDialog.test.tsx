import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import ExportGroupDialog from './ExportGroupDialog'
import { syncApi, type ExportPreview } from '../../bridge/sync'
import { AppError } from '../../bridge/errors'
import { MSG_CODE_NEEDED } from '../../bridge/connection'
import { ROSSI, T0 } from './fixtures.test-util'

vi.mock('../../bridge/sync', () => ({ syncApi: { exportPreview: vi.fn(), exportGroup: vi.fn(), linkToExisting: vi.fn() } }))
const m = vi.mocked(syncApi)
const askForCode = vi.fn()
vi.mock('../connection/ConnectionProvider', () => ({ useConnection: () => ({ askForCode }) }))

const preview = (over: Partial<ExportPreview>): ExportPreview => ({
  localGroupId: 12,
  localGroupName: 'Nguyen Family Group',
  members: [
    { entityId: 1, name: 'Minh Nguyen', xpmClientUuid: 'c1', inXpm: true },
    { entityId: 2, name: 'Nguyen Holdings Pty Ltd', xpmClientUuid: '', inXpm: false },
  ],
  firstMember: { entityId: 1, name: 'Minh Nguyen', xpmClientUuid: 'c1', inXpm: true },
  inXpmCount: 1,
  alreadyLinked: false,
  canExport: true,
  sameName: [],
  ...over,
})

beforeEach(() => {
  for (const f of Object.values(m)) f.mockReset()
})
afterEach(cleanup)

describe('ExportGroupDialog', () => {
  it('explains why a group with no member in XPM cannot be exported yet, and offers no export', async () => {
    m.exportPreview.mockResolvedValue(
      preview({
        canExport: false,
        firstMember: undefined,
        inXpmCount: 0,
        members: [{ entityId: 2, name: 'Nguyen Holdings Pty Ltd', xpmClientUuid: '', inXpm: false }],
        reason: 'XPM needs a first member that is already a client in XPM, and none of the members of “Nguyen Family Group” is.',
        hint: 'Creating the clients in XPM will be offered as part of a push.',
      }),
    )
    render(<ExportGroupDialog groupId={12} groupName="Nguyen Family Group" onClose={() => {}} onExported={() => {}} onLinked={() => {}} />)
    const refused = await screen.findByTestId('export-refused')
    expect(refused.textContent).toContain('XPM needs a first member')
    expect(refused.textContent).toContain('offered as part of a push')
    expect(screen.getByText(/Not in XPM yet — a push will offer to create it/)).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Create the group in XPM/ })).toBeNull()
  })

  it('exports with the first member named, and on a same-name refusal offers to link instead', async () => {
    m.exportPreview.mockResolvedValue(preview({}))
    const onLinked = vi.fn()
    render(<ExportGroupDialog groupId={12} groupName="Nguyen Family Group" onClose={() => {}} onExported={() => {}} onLinked={onLinked} />)
    await screen.findByText(/In XPM · added first/)
    m.exportGroup.mockRejectedValue(
      new AppError({ code: 'conflict', message: 'XPM already has a client group named “Nguyen Family Group”.', fields: { xpmGroupUuid: 'u-ng', xpmGroupName: 'Nguyen Family Group' } }),
    )
    fireEvent.click(screen.getByRole('button', { name: /Create the group in XPM/ }))
    await screen.findByText('XPM already has a client group named “Nguyen Family Group”.')
    expect(m.exportGroup).toHaveBeenCalledWith(12, false)
    const result = { localGroup: { id: 12, name: 'Nguyen Family Group', notes: '', createdAt: T0, updatedAt: T0 }, xpmGroup: ROSSI, created: false, alreadyLinked: false, message: 'Linked.' }
    m.linkToExisting.mockResolvedValue(result)
    fireEvent.click(screen.getByRole('button', { name: 'Link to “Nguyen Family Group” instead' }))
    await waitFor(() => expect(onLinked).toHaveBeenCalledWith(result))
    expect(m.linkToExisting).toHaveBeenCalledWith('u-ng', 12)
  })

  it('can create a second group of the same name when the practitioner says so', async () => {
    m.exportPreview.mockResolvedValue(preview({}))
    const onExported = vi.fn()
    render(<ExportGroupDialog groupId={12} groupName="Nguyen Family Group" onClose={() => {}} onExported={onExported} onLinked={() => {}} />)
    await screen.findByText(/In XPM · added first/)
    m.exportGroup.mockRejectedValueOnce(new AppError({ code: 'conflict', message: 'XPM already has a client group named “Nguyen Family Group”.', fields: { xpmGroupUuid: 'u-ng' } }))
    fireEvent.click(screen.getByRole('button', { name: /Create the group in XPM/ }))
    const again = await screen.findByRole('button', { name: 'Create another group with the same name' })
    m.exportGroup.mockResolvedValue({ localGroupId: 12, localGroupName: 'Nguyen Family Group', xpmGroup: ROSSI, membersAdded: 1, membersNotInXpm: ['Nguyen Holdings Pty Ltd'], message: 'Created the client group in XPM with 1 member and linked it.' })
    fireEvent.click(again)
    await waitFor(() => expect(onExported).toHaveBeenCalled())
    expect(m.exportGroup).toHaveBeenLastCalledWith(12, true)
  })

  it('asks for the two-factor code when XPM writes need it, then exports', async () => {
    m.exportPreview.mockResolvedValue(preview({}))
    askForCode.mockResolvedValue(true)
    const onExported = vi.fn()
    render(<ExportGroupDialog groupId={12} groupName="Nguyen Family Group" onClose={() => {}} onExported={onExported} onLinked={() => {}} />)
    await screen.findByText(/In XPM · added first/)
    m.exportGroup.mockRejectedValueOnce(new AppError({ code: 'auth', message: MSG_CODE_NEEDED }))
    m.exportGroup.mockResolvedValueOnce({ localGroupId: 12, localGroupName: 'Nguyen Family Group', xpmGroup: ROSSI, membersAdded: 1, membersNotInXpm: [], message: 'Created the client group in XPM with 1 member and linked it.' })
    fireEvent.click(screen.getByRole('button', { name: /Create the group in XPM/ }))
    await waitFor(() => expect(onExported).toHaveBeenCalled())
    expect(askForCode).toHaveBeenCalledTimes(1)
    expect(m.exportGroup).toHaveBeenCalledTimes(2)
  })
})
