// Sidebar on the left, the current screen in the middle, the status bar at
// the bottom of every screen.
import { useEffect, type ReactNode } from 'react'
import Sidebar from './Sidebar'
import StatusBar from './StatusBar'
import ReconnectBanner from './connection/ReconnectBanner'
import { useConnection } from './connection/ConnectionProvider'
import type { Route } from '../lib/router'
import { reportScreen } from '../bridge/api'

export default function AppShell({
  route,
  version,
  children,
}: {
  route: Route
  version?: string
  children: ReactNode
}) {
  const { status } = useConnection()
  useEffect(() => reportScreen(route.name), [route.name])
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar route={route} />
      <main id="main" className="main" tabIndex={-1}>
        <ReconnectBanner />
        {children}
      </main>
      <StatusBar connection={status} version={version} />
    </div>
  )
}
