import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import ConnectionProvider, { useConnection } from './ConnectionProvider'
import ConnectionSection from './ConnectionSection'
import ReconnectBanner from './ReconnectBanner'
import { ToastProvider } from '../Toasts'
import { AppError } from '../../bridge/errors'
import type { ConnectionStatus, TwoFactorStatus } from '../../bridge/connection'

const h = vi.hoisted(() => ({
  conn: [] as ((s: unknown) => void)[],
  tfa: [] as ((s: unknown) => void)[],
}))

vi.mock('../../bridge/connection', async (orig) => {
  const real = await orig<typeof import('../../bridge/connection')>()
  return {
    ...real,
    connectionApi: {
      status: vi.fn(),
      twoFactorStatus: vi.fn(),
      startConnect: vi.fn(),
      cancelConnect: vi.fn(),
      test: vi.fn(),
      disconnect: vi.fn(),
      unlock: vi.fn(),
    },
    onConnectionChanged: (fn: (s: unknown) => void) => {
      h.conn.push(fn)
      return () => {}
    },
    onTwoFactorChanged: (fn: (s: unknown) => void) => {
      h.tfa.push(fn)
      return () => {}
    },
    onConnectProgress: () => () => {},
  }
})

import { connectionApi } from '../../bridge/connection'
const api = vi.mocked(connectionApi)

const links = { tenantId: 't1', groups: 3, entities: 12, relationships: 5 }
const notConnected: ConnectionStatus = {
  state: 'not_connected',
  label: 'Not connected',
  environment: 'sandbox',
  sandbox: true,
  activeLinks: { tenantId: '', groups: 0, entities: 0, relationships: 0 },
  parkedLinks: [],
}
const connected: ConnectionStatus = {
  ...notConnected,
  state: 'connected',
  label: 'Connected to Harbourside Accounting',
  tenantId: 't1',
  tenantName: 'Harbourside Accounting',
  connectedBy: 'Alex Morgan',
  connectedEmail: 'alex.morgan@harbourside.example',
  activeLinks: links,
}
const reconnect: ConnectionStatus = {
  ...connected,
  state: 'reconnect_needed',
  label: 'Reconnect needed',
  reason: 'Your local data and links are kept. Click Reconnect and sign in to Xero again.',
}
const tfa = (over: Partial<TwoFactorStatus>) =>
  ({ enabled: true, locked: false, required: true, idleExpired: false, codeNeededToConnect: false, recoveryCodesLeft: 10, idleLockHours: 8, enrolmentPending: false, enabledAt: '' , ...over }) as TwoFactorStatus

function Probe() {
  const { status } = useConnection()
  return <p data-testid="probe">{status?.label}</p>
}

function renderApp(children = <Probe />) {
  render(
    <ToastProvider>
      <ConnectionProvider>
        <ReconnectBanner />
        {children}
      </ConnectionProvider>
    </ToastProvider>,
  )
}

beforeEach(() => {
  vi.clearAllMocks()
  h.conn = []
  h.tfa = []
  api.status.mockResolvedValue(notConnected)
  api.twoFactorStatus.mockResolvedValue(tfa({ enabled: false, required: false }))
})
afterEach(cleanup)

describe('ConnectionProvider', () => {
  it('shows the app, not the lock screen, when there is no connection', async () => {
    renderApp()
    expect((await screen.findByTestId('probe')).textContent).toBe('Not connected')
    expect(screen.queryByTestId('lock-screen')).toBeNull()
  })

  it('shows only the lock screen while locked, and the app once unlocked', async () => {
    api.status.mockResolvedValue(connected)
    api.twoFactorStatus.mockResolvedValue(tfa({ locked: true }))
    renderApp()
    await screen.findByTestId('lock-screen')
    expect(screen.queryByTestId('probe')).toBeNull()
    act(() => h.tfa.forEach((f) => f(tfa({ locked: false }))))
    expect((await screen.findByTestId('probe')).textContent).toBe('Connected to Harbourside Accounting')
  })

  it('follows connection:changed', async () => {
    renderApp()
    await screen.findByTestId('probe')
    act(() => h.conn.forEach((f) => f(connected)))
    expect(screen.getByTestId('probe').textContent).toBe('Connected to Harbourside Accounting')
  })

  it('shows the Reconnect needed banner with one-click reconnect', async () => {
    api.status.mockResolvedValue(reconnect)
    api.twoFactorStatus.mockResolvedValue(tfa({}))
    api.startConnect.mockReturnValue(new Promise(() => {}))
    renderApp()
    const banner = await screen.findByTestId('reconnect-banner')
    expect(banner.textContent).toContain("Reconnect needed: Xero no longer accepts Structura's connection to Harbourside Accounting.")
    expect(banner.textContent).toContain('Your local data and links are kept.')
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }))
    expect(await screen.findByTestId('connect-dialog')).toBeTruthy()
    expect(api.startConnect).toHaveBeenCalled()
  })
})

describe('ConnectionSection', () => {
  it('offers Connect when not connected', async () => {
    renderApp(<ConnectionSection />)
    expect((await screen.findByTestId('settings-connection-label')).textContent).toBe('Not connected')
    expect(screen.getByTestId('connect-button')).toBeTruthy()
    expect(screen.queryByTestId('test-button')).toBeNull()
  })

  it('tests the connection and shows the result', async () => {
    api.status.mockResolvedValue(connected)
    api.twoFactorStatus.mockResolvedValue(tfa({}))
    api.test.mockResolvedValue({
      ok: true,
      verdict: 'Everything works.',
      tenantId: 't1',
      practiceName: 'Harbourside Accounting',
      durationMs: 120,
      callsLeftThisMinute: 58,
      callsLeftToday: 4990,
      scopes: ['practicemanager.client'],
      missingScopes: [],
      checkedAt: '2025-03-10T04:05:06Z',
    })
    renderApp(<ConnectionSection />)
    fireEvent.click(await screen.findByTestId('test-button'))
    expect((await screen.findByTestId('test-verdict')).textContent).toBe('Everything works.')
    expect(screen.getByTestId('test-calls-day').textContent).toBe('4,990')
  })

  it('asks for a two-factor code when the test needs one, then tests again', async () => {
    api.status.mockResolvedValue(connected)
    api.twoFactorStatus.mockResolvedValue(tfa({}))
    api.test
      .mockRejectedValueOnce(new AppError({ code: 'auth', message: 'Enter your two-factor code to continue.', hint: 'Open your authenticator app.' }))
      .mockResolvedValueOnce({ ok: true, verdict: 'Everything works.', tenantId: 't1', practiceName: 'Harbourside Accounting', durationMs: 1, scopes: [], missingScopes: [], checkedAt: '' })
    api.unlock.mockResolvedValue(tfa({}))
    renderApp(<ConnectionSection />)
    fireEvent.click(await screen.findByTestId('test-button'))
    await screen.findByTestId('code-dialog')
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '123456' } })
    fireEvent.click(screen.getByRole('button', { name: /Continue/ }))
    expect((await screen.findByTestId('test-verdict')).textContent).toBe('Everything works.')
    expect(api.test).toHaveBeenCalledTimes(2)
  })

  it('confirms a disconnect, saying every local record and link is kept', async () => {
    api.status.mockResolvedValue(connected)
    api.twoFactorStatus.mockResolvedValue(tfa({}))
    api.disconnect.mockResolvedValue({ status: notConnected, revoked: false, warning: 'Structura could not reach Xero to revoke its access.', keptLinks: links })
    renderApp(<ConnectionSection />)
    fireEvent.click(await screen.findByTestId('disconnect-button'))
    const dlg = await screen.findByTestId('disconnect-dialog')
    expect(dlg.textContent).toContain('every group, entity, relationship and link stays in Structura')
    expect(dlg.textContent).toContain('3 groups, 12 clients and 5 relationships')
    expect(dlg.textContent).toContain('Two-factor authentication stays on')
    fireEvent.click(within(dlg).getByRole('button', { name: 'Disconnect' }))
    expect((await screen.findByTestId('disconnect-warning')).textContent).toContain('could not reach Xero')
    expect(screen.getByTestId('toast').textContent).toContain('Your local data and links are kept')
    expect(screen.getByTestId('settings-connection-label').textContent).toBe('Not connected')
  })

  it('says why a reconnect is needed and offers Reconnect', async () => {
    api.status.mockResolvedValue(reconnect)
    api.twoFactorStatus.mockResolvedValue(tfa({}))
    renderApp(<ConnectionSection />)
    expect((await screen.findByTestId('settings-connection-label')).textContent).toBe('Reconnect needed: Harbourside Accounting')
    expect(screen.getByTestId('reconnect-button')).toBeTruthy()
  })
})
