import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import XPMSettingsForm from './XPMSettingsForm'
import { ToastProvider } from '../Toasts'
import { AppError } from '../../bridge/errors'
import type { XPMSettings } from '../../bridge/connection'

vi.mock('../../bridge/connection', async (orig) => {
  const real = await orig<typeof import('../../bridge/connection')>()
  return { ...real, connectionApi: { getSettings: vi.fn(), saveSettings: vi.fn() } }
})

import { connectionApi } from '../../bridge/connection'
const api = vi.mocked(connectionApi)

const base: XPMSettings = {
  environment: 'sandbox',
  clientId: '',
  hasClientSecret: false,
  callbackPort: 8749,
  redirectUri: 'http://localhost:8749/callback',
  apiBaseUrl: 'https://api.xero.com/practicemanager/3.1',
  scopes: [],
  sandboxClientId: 'STRUCTURASANDBOXPUBLICCLIENT0001',
  locked: false,
  checklist: [
    { title: 'XPM API access approved by Xero', detail: 'Apply at developer.xero.com.' },
    { title: 'The “Connect third-party add-ons” privilege', detail: 'The XPM user needs it.' },
  ],
}

beforeEach(() => vi.clearAllMocks())
afterEach(cleanup)

function renderForm(onDirtyChange = vi.fn()) {
  render(
    <ToastProvider>
      <XPMSettingsForm onDirtyChange={onDirtyChange} />
    </ToastProvider>,
  )
  return onDirtyChange
}

describe('XPMSettingsForm', () => {
  it('starts on the sandbox; Xero shows the redirect URI and the checklist', async () => {
    api.getSettings.mockResolvedValue(base)
    const dirty = renderForm()
    const sandbox = (await screen.findByTestId('env-sandbox')) as HTMLInputElement
    expect(sandbox.checked).toBe(true)
    expect(screen.queryByTestId('redirect-uri')).toBeNull()
    fireEvent.click(screen.getByTestId('env-xero'))
    expect(screen.getByTestId('redirect-uri').textContent).toBe('http://localhost:8749/callback')
    expect(screen.getByTestId('xero-checklist').textContent).toContain('Connect third-party add-ons')
    expect(dirty).toHaveBeenLastCalledWith(true)
  })

  it('saves a client id and secret; field errors appear beside their input', async () => {
    api.getSettings.mockResolvedValue(base)
    api.saveSettings
      .mockRejectedValueOnce(new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { clientId: 'Enter the client id of your Xero app.' } }))
      .mockResolvedValueOnce({ ...base, environment: 'xero', clientId: 'ABC123', hasClientSecret: true })
    renderForm()
    fireEvent.click(await screen.findByTestId('env-xero'))
    fireEvent.click(screen.getByTestId('save-settings'))
    expect((await screen.findByTestId('field-error')).textContent).toBe('Enter the client id of your Xero app.')
    fireEvent.change(screen.getByTestId('client-id'), { target: { value: 'ABC123' } })
    fireEvent.change(screen.getByTestId('client-secret'), { target: { value: 's3cret' } })
    fireEvent.click(screen.getByTestId('save-settings'))
    await waitFor(() =>
      expect(api.saveSettings).toHaveBeenLastCalledWith({
        environment: 'xero',
        clientId: 'ABC123',
        clientSecret: 's3cret',
        clearClientSecret: false,
        callbackPort: 8749,
        apiBaseUrl: 'https://api.xero.com/practicemanager/3.1',
      }),
    )
    // The secret is never shown again: only that one is saved.
    expect((await screen.findByTestId('secret-on-file')).textContent).toContain('saved in the system keychain')
    expect(document.body.innerHTML).not.toContain('s3cret')
  })

  it('cannot change where it connects while connected', async () => {
    api.getSettings.mockResolvedValue({ ...base, locked: true })
    renderForm()
    expect((await screen.findByTestId('env-xero')).matches(':disabled')).toBe(true)
    expect(screen.getByText(/Disconnect first/)).toBeTruthy()
  })
})
