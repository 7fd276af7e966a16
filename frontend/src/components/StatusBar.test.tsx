import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import StatusBar from './StatusBar'
import type { ConnectionStatus } from '../bridge/connection'

afterEach(cleanup)

const none = { tenantId: '', groups: 0, entities: 0, relationships: 0 }
function status(over: Partial<ConnectionStatus>): ConnectionStatus {
  return { state: 'not_connected', label: 'Not connected', environment: 'sandbox', sandbox: true, activeLinks: none, parkedLinks: [], ...over }
}
const dot = () => document.querySelector('.status-dot')!.className

describe('StatusBar', () => {
  it('says Not connected with the Sandbox badge by default', () => {
    render(<StatusBar connection={status({})} />)
    expect(screen.getByTestId('connection-status').textContent).toBe('Not connected')
    expect(screen.getByTestId('connection-sandbox').textContent).toBe('Sandbox')
    expect(dot()).toContain('status-not_connected')
  })

  it('names the practice when connected, with a green dot', () => {
    render(<StatusBar connection={status({ state: 'connected', label: 'Connected to Harbourside Accounting', tenantName: 'Harbourside Accounting' })} />)
    expect(screen.getByTestId('connection-status').textContent).toBe('Connected to Harbourside Accounting')
    expect(dot()).toContain('status-connected')
  })

  it('says Reconnect needed in red', () => {
    render(<StatusBar connection={status({ state: 'reconnect_needed', label: 'Reconnect needed', environment: 'xero', sandbox: false })} />)
    expect(screen.getByTestId('connection-status').textContent).toBe('Reconnect needed')
    expect(dot()).toContain('status-error')
    expect(screen.queryByTestId('connection-sandbox')).toBeNull()
  })

  it('shows no Sandbox badge for Xero, and a note while connecting', () => {
    render(<StatusBar connection={status({ environment: 'xero', sandbox: false, connectAttemptId: 'a1' })} />)
    expect(screen.queryByTestId('connection-sandbox')).toBeNull()
    expect(screen.getByTestId('connection-connecting').textContent).toContain('connecting')
    expect(dot()).toContain('status-connecting')
  })

  it('does not guess before the backend answers', () => {
    render(<StatusBar />)
    expect(screen.getByTestId('connection-status').textContent).toBe('Checking the connection…')
  })

  it('links to the connection settings', () => {
    render(<StatusBar connection={status({})} />)
    expect(screen.getByRole('link', { name: /XPM/ }).getAttribute('href')).toBe('#/settings')
  })
})
