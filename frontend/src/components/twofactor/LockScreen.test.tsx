import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import LockScreen from './LockScreen'
import { AppError } from '../../bridge/errors'
import type { ConnectionStatus } from '../../bridge/connection'

vi.mock('../../bridge/connection', async (orig) => {
  const real = await orig<typeof import('../../bridge/connection')>()
  return { ...real, connectionApi: { unlock: vi.fn(), disconnect: vi.fn(), twoFactorStatus: vi.fn() } }
})

import { connectionApi } from '../../bridge/connection'
const api = vi.mocked(connectionApi)

const links = { tenantId: 't1', groups: 1, entities: 0, relationships: 0 }
const connected = {
  state: 'connected',
  label: 'Connected to Harbourside Accounting',
  environment: 'sandbox',
  sandbox: true,
  tenantId: 't1',
  tenantName: 'Harbourside Accounting',
  activeLinks: links,
  parkedLinks: [],
} as ConnectionStatus
const unlocked = { enabled: true, locked: false } as never

beforeEach(() => vi.clearAllMocks())
afterEach(cleanup)

function renderLock() {
  const props = { onUnlocked: vi.fn(), onStatus: vi.fn() }
  render(<LockScreen status={connected} {...props} />)
  return props
}

describe('LockScreen', () => {
  it('names the practice and asks for a code', () => {
    renderLock()
    expect(screen.getByRole('heading', { name: 'Structura is locked' })).toBeTruthy()
    expect(screen.getByTestId('lock-screen').textContent).toContain('Harbourside Accounting')
    expect((screen.getByRole('button', { name: 'Unlock' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('shows a wrong code beside the input, then unlocks with a right one', async () => {
    api.unlock
      .mockRejectedValueOnce(new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { code: 'That code is not right.' } }))
      .mockResolvedValueOnce(unlocked)
    const props = renderLock()
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '111111' } })
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }))
    expect((await screen.findByTestId('field-error')).textContent).toBe('That code is not right.')
    expect(props.onUnlocked).not.toHaveBeenCalled()
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '222222' } })
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }))
    await waitFor(() => expect(props.onUnlocked).toHaveBeenCalledWith(unlocked))
  })

  it('accepts a recovery code instead', async () => {
    api.unlock.mockResolvedValueOnce(unlocked)
    const props = renderLock()
    fireEvent.click(screen.getByRole('button', { name: 'Use a recovery code instead' }))
    expect(screen.getByLabelText('Recovery code')).toBeTruthy()
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: 'abcde-fghij' } })
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }))
    await waitFor(() => expect(api.unlock).toHaveBeenCalledWith('abcde-fghij'))
    expect(props.onUnlocked).toHaveBeenCalled()
  })

  it('shows "Too many incorrect codes" with how long to wait', async () => {
    api.unlock.mockRejectedValueOnce(new AppError({ code: 'auth', message: 'Too many incorrect codes.', hint: 'Wait 30s and try again.' }))
    renderLock()
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '111111' } })
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }))
    const banner = await screen.findByTestId('error-banner')
    expect(banner.textContent).toContain('Too many incorrect codes.')
    expect(banner.textContent).toContain('Wait 30s')
  })

  it('can disconnect without a code, after a confirmation that local data is kept', async () => {
    const after = { ...connected, state: 'not_connected', label: 'Not connected' }
    api.disconnect.mockResolvedValue({ status: after, revoked: true, keptLinks: links })
    api.twoFactorStatus.mockResolvedValue(unlocked)
    const props = renderLock()
    fireEvent.click(screen.getByRole('button', { name: /Disconnect from Xero/ }))
    const dlg = screen.getByTestId('lock-disconnect-dialog')
    expect(dlg.textContent).toContain('No code is needed')
    expect(dlg.textContent).toContain('Every group, entity, relationship and link stays on this computer')
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }))
    await waitFor(() => expect(props.onStatus).toHaveBeenCalledWith(after))
    await waitFor(() => expect(props.onUnlocked).toHaveBeenCalledWith(unlocked))
  })
})
