import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import App from './App'
import { api } from './bridge/api'

vi.mock('./bridge/api', async (orig) => {
  const real = await orig<typeof import('./bridge/api')>()
  return {
    ...real,
    api: { info: vi.fn(), listGroups: vi.fn() },
    onStructureChanged: () => () => {},
    quitApp: vi.fn(),
  }
})

vi.mock('./bridge/connection', async (orig) => {
  const real = await orig<typeof import('./bridge/connection')>()
  return {
    ...real,
    connectionApi: {
      status: vi.fn().mockResolvedValue({
        state: 'not_connected',
        label: 'Not connected',
        environment: 'sandbox',
        sandbox: true,
        activeLinks: { tenantId: '', groups: 0, entities: 0, relationships: 0 },
        parkedLinks: [],
      }),
      twoFactorStatus: vi.fn().mockResolvedValue({ enabled: false, locked: false }),
    },
    onConnectionChanged: () => () => {},
    onTwoFactorChanged: () => () => {},
    onConnectProgress: () => () => {},
  }
})

const info = vi.mocked(api.info)

beforeEach(() => {
  info.mockReset()
  vi.mocked(api.listGroups).mockResolvedValue([])
  window.location.hash = ''
})
afterEach(cleanup)

describe('App', () => {
  it('shows a friendly full-screen page when Structura could not start', async () => {
    info.mockResolvedValue({
      version: '1.0.0',
      dataDir: '',
      logFile: '',
      startupError: { code: 'conflict', message: 'Structura is already open.', hint: 'Switch to the open window, or close it and try again.' },
    })
    render(<App />)
    const page = await screen.findByTestId('startup-error')
    expect(page.textContent).toContain('Structura is already open.')
    expect(page.textContent).toContain('Switch to the open window')
    expect(screen.queryByRole('navigation')).toBeNull()
    expect(screen.getByRole('button', { name: 'Close Structura' })).toBeTruthy()
  })

  it('opens on the Groups screen inside the shell, with the status bar', async () => {
    info.mockResolvedValue({ version: '1.0.0', dataDir: '/data', logFile: '/data/logs/structura.log' })
    render(<App />)
    await screen.findByTestId('groups-screen')
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Groups' }).getAttribute('aria-current')).toBe('page')
    expect(screen.getByTestId('connection-status').textContent).toBe('Not connected')
    expect(screen.getByTestId('connection-sandbox').textContent).toBe('Sandbox')
  })
})
