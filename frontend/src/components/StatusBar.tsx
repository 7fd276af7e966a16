// The bottom bar on every screen: the state of the connection to Xero
// Practice Manager (fed by the sync service in later issues) and where data
// lives. It only reports what it is given: nothing here is assumed.
import type { ConnectionStatus } from '../bridge/api'

function connectionText(c: ConnectionStatus): string {
  switch (c.state) {
    case 'connected':
      return c.practiceName ? `XPM: connected to ${c.practiceName}` : 'XPM: connected'
    case 'connecting':
      return 'XPM: connecting…'
    case 'error':
      return c.detail ? `XPM: ${c.detail}` : 'XPM: connection problem'
    default:
      return 'XPM: not connected'
  }
}

function targetText(c: ConnectionStatus): string {
  if (c.target === 'xero') return 'Xero Practice Manager'
  return c.practiceName && c.state === 'connected' ? 'Sandbox' : 'Sandbox (demo practice)'
}

export default function StatusBar({ connection, version }: { connection: ConnectionStatus; version?: string }) {
  return (
    <footer className="statusbar" data-testid="status-bar">
      <div className="statusbar-left">
        <span className={`status-dot status-${connection.state}`} aria-hidden />
        <span data-testid="connection-status">
          {connectionText(connection)} · {targetText(connection)}
        </span>
      </div>
      <div className="statusbar-right">
        <span>Saved on this computer</span>
        {version && <span className="statusbar-version">Structura {version}</span>}
      </div>
    </footer>
  )
}
