import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import ConnectDialog from './ConnectDialog'
import { AppError } from '../../bridge/errors'
import type { ConnectAttempt, ConnectProgress } from '../../bridge/connection'

const h = vi.hoisted(() => ({
  progress: [] as ((p: ConnectProgress) => void)[],
}))

vi.mock('../../bridge/connection', async (orig) => {
  const real = await orig<typeof import('../../bridge/connection')>()
  return {
    ...real,
    connectionApi: {
      startConnect: vi.fn(),
      cancelConnect: vi.fn(),
      reopenBrowser: vi.fn(),
      chooseTenant: vi.fn(),
      unlock: vi.fn(),
    },
    onConnectProgress: (fn: (p: ConnectProgress) => void) => {
      h.progress.push(fn)
      return () => {
        h.progress = h.progress.filter((f) => f !== fn)
      }
    },
  }
})

import { connectionApi } from '../../bridge/connection'
const api = vi.mocked(connectionApi)

const attempt: ConnectAttempt = {
  attemptId: 'a1',
  browserUrl: 'http://127.0.0.1:40000/identity/connect/authorize?client_id=X',
  redirectUri: 'http://localhost:8749/callback',
  expiresAt: '2025-03-10T04:15:00Z',
  browserOpened: true,
  environment: 'sandbox',
}

const connectedStatus = {
  state: 'connected',
  label: 'Connected to Harbourside Accounting',
  environment: 'sandbox',
  sandbox: true,
  tenantId: 't1',
  tenantName: 'Harbourside Accounting',
  activeLinks: { tenantId: 't1', groups: 0, entities: 0, relationships: 0 },
  parkedLinks: [],
}

function emit(p: Partial<ConnectProgress>) {
  act(() => h.progress.forEach((f) => f({ attemptId: 'a1', message: '', ...p } as ConnectProgress)))
}

function renderDialog() {
  const props = { onClose: vi.fn(), onSetUpTwoFactor: vi.fn(), onStatus: vi.fn() }
  render(<ConnectDialog {...props} />)
  return props
}

beforeEach(() => {
  vi.clearAllMocks()
  h.progress = []
  api.startConnect.mockResolvedValue(attempt)
  api.cancelConnect.mockResolvedValue()
  api.reopenBrowser.mockResolvedValue()
})
afterEach(cleanup)

describe('ConnectDialog', () => {
  it('waits for the browser, with Open again and Cancel', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    expect(screen.getByText('Waiting for you to approve Structura in your browser…')).toBeTruthy()
    expect(screen.getByText(/choose who signs in, then click Allow access/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Open again' }))
    await waitFor(() => expect(api.reopenBrowser).toHaveBeenCalledWith('a1'))
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(api.cancelConnect).toHaveBeenCalledWith('a1'))
  })

  it('shows the sign-in address to copy when the browser could not be opened', async () => {
    api.startConnect.mockResolvedValue({ ...attempt, browserOpened: false, browserError: 'Structura could not open your browser.' })
    renderDialog()
    await screen.findByTestId('connect-waiting')
    expect(screen.getByText(attempt.browserUrl)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy()
  })

  it('applies events that arrive before StartConnect answers', async () => {
    let resolve!: (a: ConnectAttempt) => void
    api.startConnect.mockReturnValue(new Promise((r) => (resolve = r)))
    renderDialog()
    emit({ stage: 'waiting_for_browser', message: 'Waiting for you to approve Structura in your browser…' })
    emit({ stage: 'listing_tenants', message: 'Signed in to Xero. Looking for your practices…' })
    await act(async () => resolve(attempt))
    expect(await screen.findByTestId('connect-listing')).toBeTruthy()
  })

  it('says when an answer from another tab was refused, and keeps waiting', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({
      stage: 'callback_rejected',
      error: { code: 'auth', message: 'Security validation failed: this answer belongs to an earlier attempt.', hint: 'Use the newest sign-in tab.' },
    })
    const w = screen.getByTestId('connect-rejected')
    expect(w.textContent).toContain('Security validation failed')
    expect(w.textContent).toContain('Use the newest sign-in tab.')
    expect(w.textContent).toContain('still waiting')
    expect(screen.getByTestId('connect-waiting')).toBeTruthy()
  })

  it('lets the user choose among several practices, with the parked-links warning', async () => {
    api.chooseTenant.mockResolvedValue(connectedStatus)
    const props = renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({
      stage: 'choose_tenant',
      message: 'Choose the practice to connect.',
      tenants: [
        { tenantId: 't1', tenantName: 'Harbourside Accounting', restoresLinks: 3 },
        { tenantId: 't2', tenantName: 'Coastal Tax Partners', restoresLinks: 0, warning: 'Structura has links to Harbourside Accounting (1 group).' },
      ],
    })
    expect(screen.getByRole('heading', { name: 'Choose your practice' })).toBeTruthy()
    const choices = screen.getAllByTestId('tenant-choice')
    expect(choices).toHaveLength(2)
    expect(choices[0].textContent).toContain('Brings back 3 links')
    expect(choices[1].textContent).toContain('Structura has links to Harbourside Accounting (1 group).')
    fireEvent.click(screen.getByRole('radio', { name: 'Coastal Tax Partners' }))
    fireEvent.click(screen.getByRole('radio', { name: 'Harbourside Accounting' }))
    fireEvent.click(screen.getByRole('button', { name: 'Connect to Harbourside Accounting' }))
    await waitFor(() => expect(api.chooseTenant).toHaveBeenCalledWith('a1', 't1'))
    expect(await screen.findByTestId('connect-connected')).toBeTruthy()
    expect(screen.getByText('Connected to Harbourside Accounting')).toBeTruthy()
    expect(props.onStatus).toHaveBeenCalledWith(connectedStatus)
  })

  it('shows the links restored even when the event comes after ChooseTenant answers', async () => {
    api.chooseTenant.mockResolvedValue(connectedStatus)
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({ stage: 'choose_tenant', tenants: [{ tenantId: 't1', tenantName: 'Harbourside Accounting', restoresLinks: 2 }] })
    expect(screen.getByRole('heading', { name: 'Confirm your practice' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Connect to Harbourside Accounting' }))
    await screen.findByTestId('connect-connected')
    emit({
      stage: 'connected',
      message: 'Connected to Harbourside Accounting. Your links to this practice are active again (1 group, 1 client).',
      status: connectedStatus as never,
      linksRestored: 2,
    })
    const box = screen.getByTestId('connect-connected')
    expect(box.textContent).toContain('Your links to this practice are active again (1 group, 1 client).')
    expect(box.textContent).not.toContain('Harbourside Accounting.')
    expect(box.textContent).not.toContain('Next, import')
  })

  it('keeps the links restored when the event comes before ChooseTenant answers', async () => {
    let answer!: (s: typeof connectedStatus) => void
    api.chooseTenant.mockReturnValue(new Promise((r) => (answer = r)) as never)
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({ stage: 'choose_tenant', tenants: [{ tenantId: 't1', tenantName: 'Harbourside Accounting', restoresLinks: 2 }] })
    fireEvent.click(screen.getByRole('button', { name: 'Connect to Harbourside Accounting' }))
    emit({
      stage: 'connected',
      message: 'Connected to Harbourside Accounting. Your links to this practice are active again (1 group).',
      status: connectedStatus as never,
      linksRestored: 1,
    })
    await act(async () => answer(connectedStatus))
    expect(screen.getByTestId('connect-connected').textContent).toContain('active again (1 group)')
  })

  it('ends connected when the backend connects on its own', async () => {
    const props = renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({ stage: 'connected', message: 'Connected to Harbourside Accounting.', status: connectedStatus as never })
    expect(await screen.findByTestId('connect-connected')).toBeTruthy()
    expect(screen.getByText(/built-in sandbox/)).toBeTruthy()
    expect(screen.getByText(/Next, import your client groups/)).toBeTruthy()
    expect(props.onStatus).toHaveBeenCalledWith(connectedStatus)
    fireEvent.click(screen.getByRole('button', { name: 'Done' }))
    expect(props.onClose).toHaveBeenCalled()
  })

  it('shows a failure with its message and what to try, and can try again', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({
      stage: 'failed',
      message: 'No Xero organizations found',
      error: { code: 'auth', message: 'No Xero organizations found', hint: 'Ask your XPM administrator for the “Connect third-party add-ons” privilege.' },
    })
    const f = await screen.findByTestId('connect-failed')
    expect(f.textContent).toContain('No Xero organizations found')
    expect(f.textContent).toContain('Connect third-party add-ons')
    // A late event of the ended attempt changes nothing.
    emit({ stage: 'waiting_for_browser', message: 'Waiting…' })
    expect(screen.getByTestId('connect-failed')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    await waitFor(() => expect(api.startConnect).toHaveBeenCalledTimes(2))
  })

  it('shows a time-out like a failure', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({
      stage: 'timed_out',
      error: { code: 'unavailable', message: 'Failed to complete connection: Structura did not hear back from Xero within 10 minutes.', hint: 'Click Connect again.' },
    })
    expect((await screen.findByTestId('connect-failed')).textContent).toContain('did not hear back from Xero within 10 minutes')
  })

  it('says when connecting was cancelled and offers to connect again', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    emit({ stage: 'cancelled', message: 'Connecting was cancelled.' })
    const c = await screen.findByTestId('connect-cancelled')
    expect(c.textContent).toContain('Connecting was cancelled.')
    expect(c.textContent).toContain('Nothing was changed')
    fireEvent.click(screen.getByRole('button', { name: 'Connect again' }))
    await waitFor(() => expect(api.startConnect).toHaveBeenCalledTimes(2))
  })

  it('ignores events of another attempt', async () => {
    renderDialog()
    await screen.findByTestId('connect-waiting')
    emit({ attemptId: 'other', stage: 'failed', error: { code: 'auth', message: 'Authorization was denied' } })
    expect(screen.queryByTestId('connect-failed')).toBeNull()
  })

  it('closing while waiting cancels the attempt', async () => {
    const props = renderDialog()
    await screen.findByTestId('connect-waiting')
    fireEvent.click(screen.getByRole('button', { name: 'Close' }))
    expect(api.cancelConnect).toHaveBeenCalledWith('a1')
    expect(props.onClose).toHaveBeenCalled()
  })

  it('without two-factor protection: the message and a button to set it up', async () => {
    api.startConnect.mockRejectedValue(
      new AppError({
        code: 'auth',
        message: 'Enable two-factor authentication to connect to Xero',
        hint: 'Set it up in Settings → Security, then connect.',
      }),
    )
    const props = renderDialog()
    const box = await screen.findByTestId('connect-needs-2fa')
    expect(box.textContent).toContain('Enable two-factor authentication to connect to Xero')
    expect(box.textContent).toContain('Set it up in Settings → Security')
    fireEvent.click(screen.getByRole('button', { name: 'Set up two-factor authentication' }))
    expect(props.onSetUpTwoFactor).toHaveBeenCalled()
  })

  it('asks for a two-factor code when the backend needs one, then starts', async () => {
    api.startConnect
      .mockRejectedValueOnce(new AppError({ code: 'auth', message: 'Enter your two-factor code to continue.', hint: 'Open your authenticator app.' }))
      .mockResolvedValueOnce(attempt)
    api.unlock.mockRejectedValueOnce(new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { code: 'That code is not right.' } }))
    api.unlock.mockResolvedValueOnce({} as never)
    renderDialog()
    await screen.findByTestId('connect-needs-code')
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '111 111' } })
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }))
    expect(await screen.findByText('That code is not right.')).toBeTruthy()
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '222 222' } })
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }))
    await screen.findByTestId('connect-waiting')
    expect(api.unlock).toHaveBeenLastCalledWith('222 222')
  })

  it('shows any other refusal with its hint (port in use)', async () => {
    api.startConnect.mockRejectedValue(
      new AppError({ code: 'conflict', message: 'Port 8749 is in use by another program.', hint: 'Choose another callback port in Settings → XPM connection → Advanced.' }),
    )
    renderDialog()
    const r = await screen.findByTestId('connect-refused')
    expect(r.textContent).toContain('Port 8749 is in use')
    expect(r.textContent).toContain('Choose another callback port')
  })
})
