// The app: asks the backend how it started, then shows either the startup
// error page or the shell with the current screen.
import { useEffect, useState } from 'react'
import AppShell from './components/AppShell'
import Spinner from './components/Spinner'
import { ToastProvider } from './components/Toasts'
import GroupScreen from './screens/GroupScreen'
import GroupsScreen from './screens/GroupsScreen'
import SettingsScreen from './screens/SettingsScreen'
import StartupErrorScreen from './screens/StartupErrorScreen'
import SyncScreen from './screens/SyncScreen'
import PullScreen from './screens/PullScreen'
import ConnectionProvider from './components/connection/ConnectionProvider'
import { api, type AppInfo } from './bridge/api'
import { toAppError, type AppErrorData } from './bridge/errors'
import { useRoute } from './lib/router'

export default function App() {
  const [info, setInfo] = useState<AppInfo>()
  const [fatal, setFatal] = useState<Pick<AppErrorData, 'message' | 'hint'>>()
  const route = useRoute()

  useEffect(() => {
    api.info().then(
      (i) => {
        if (i.startupError) setFatal(i.startupError)
        else setInfo(i)
      },
      (e) => setFatal(toAppError(e)),
    )
  }, [])

  if (fatal) return <StartupErrorScreen message={fatal.message} hint={fatal.hint} />
  if (!info) {
    return (
      <div className="boot">
        <Spinner label="Opening Structura…" />
      </div>
    )
  }

  let screen
  switch (route.name) {
    case 'group':
      screen = <GroupScreen key={route.id} id={route.id} />
      break
    case 'sync':
      screen = <SyncScreen />
      break
    case 'pull':
      screen = <PullScreen key={route.id} id={route.id} />
      break
    case 'settings':
      screen = <SettingsScreen info={info} />
      break
    default:
      screen = <GroupsScreen />
  }

  return (
    <ToastProvider>
      <ConnectionProvider>
        <AppShell route={route}>{screen}</AppShell>
      </ConnectionProvider>
    </ToastProvider>
  )
}
