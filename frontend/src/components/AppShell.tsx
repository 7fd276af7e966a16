// Sidebar on the left, the current screen in the middle, the status bar at
// the bottom of every screen.
import type { ReactNode } from 'react'
import Sidebar from './Sidebar'
import StatusBar from './StatusBar'
import type { Route } from '../lib/router'
import type { ConnectionStatus } from '../bridge/api'

export default function AppShell({
  route,
  connection,
  version,
  children,
}: {
  route: Route
  connection: ConnectionStatus
  version?: string
  children: ReactNode
}) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar route={route} />
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <StatusBar connection={connection} version={version} />
    </div>
  )
}
