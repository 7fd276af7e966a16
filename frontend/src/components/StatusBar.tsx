// The bottom bar on every screen: the state of the connection to Xero
// Practice Manager (from ConnectionStatus() and connection:changed) and
// where data lives. It only reports what the backend says.
import type { ConnectionStatus } from '../bridge/connection'

function dotClass(c: ConnectionStatus | undefined): string {
  switch (c?.state) {
    case 'connected':
      return 'status-connected'
    case 'reconnect_needed':
      return 'status-error'
    default:
      return c?.connectAttemptId ? 'status-connecting' : 'status-not_connected'
  }
}

export default function StatusBar({ connection, version }: { connection?: ConnectionStatus; version?: string }) {
  return (
    <footer className="statusbar" data-testid="status-bar">
      <div className="statusbar-left">
        <span className={`status-dot ${dotClass(connection)}`} aria-hidden />
        <a href="#/settings" className="statusbar-link" title="XPM connection settings">
          <span className="statusbar-prefix">XPM</span>
          <span data-testid="connection-status">{connection ? connection.label : 'Checking the connection…'}</span>
        </a>
        {connection?.state === 'not_connected' && connection.connectAttemptId && (
          <span className="statusbar-note" data-testid="connection-connecting">
            · connecting…
          </span>
        )}
        {connection?.sandbox && (
          <span className="badge statusbar-badge" data-testid="connection-sandbox" title="The built-in sandbox: a demo practice on this computer">
            Sandbox
          </span>
        )}
      </div>
      <div className="statusbar-right">
        <span>Saved on this computer</span>
        {version && <span className="statusbar-version">Structura {version}</span>}
      </div>
    </footer>
  )
}
