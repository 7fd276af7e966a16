// Settings: the connection to Xero Practice Manager (where to connect,
// connect / test / disconnect), security (two-factor authentication), then
// where Structura keeps its data and logs, and its version.
import { useState } from 'react'
import { FolderOpen } from 'lucide-react'
import ErrorBanner from '../components/ErrorBanner'
import ConnectionSection from '../components/connection/ConnectionSection'
import XPMSettingsForm from '../components/connection/XPMSettingsForm'
import SecuritySection from '../components/twofactor/SecuritySection'
import { useToast } from '../components/Toasts'
import { api, type AppInfo } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'

export default function SettingsScreen({ info }: { info: AppInfo }) {
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [settingsDirty, setSettingsDirty] = useState(false)
  const toast = useToast()

  async function openLogs() {
    setBusy(true)
    setError(undefined)
    try {
      await api.openLogFolder()
      toast('Log folder opened in your file manager')
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="screen" data-testid="settings-screen">
      <header className="screen-header">
        <div>
          <h1 className="screen-title">Settings</h1>
          <p className="screen-subtitle">Your connection to Xero Practice Manager, security, and where Structura keeps your data.</p>
        </div>
      </header>

      <section className="section section-first" aria-labelledby="settings-xpm">
        <h2 className="section-title" id="settings-xpm">
          XPM connection
        </h2>
        <ConnectionSection settingsDirty={settingsDirty} />
        <XPMSettingsForm onDirtyChange={setSettingsDirty} />
      </section>

      <section className="section" aria-labelledby="settings-security">
        <h2 className="section-title" id="settings-security">
          Security
        </h2>
        <SecuritySection />
      </section>

      <section className="section">
        <h2 className="section-title">About</h2>
        <div className="card">
          <dl className="props">
            <div className="prop">
              <dt>Version</dt>
              <dd data-testid="info-version">{info.version || 'Development build'}</dd>
            </div>
            <div className="prop">
              <dt>Data folder</dt>
              <dd className="mono selectable" data-testid="info-data-dir">{info.dataDir}</dd>
            </div>
            <div className="prop">
              <dt>Log file</dt>
              <dd className="mono selectable" data-testid="info-log-file">{info.logFile}</dd>
            </div>
          </dl>
        </div>
      </section>

      <section className="section">
        <h2 className="section-title">Logs</h2>
        <div className="card card-row">
          <div>
            <p className="card-text">
              The log records what Structura did and any problem it met. It never contains tax file numbers, passwords or
              access tokens. If support asks for it, open the folder and send the newest file.
            </p>
          </div>
          <button type="button" className="button button-secondary" onClick={openLogs} disabled={busy}>
            <FolderOpen size={16} aria-hidden /> Open log folder
          </button>
        </div>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>

      <section className="section">
        <h2 className="section-title">Keyboard</h2>
        <div className="card">
          <dl className="props keys">
            <div className="prop"><dt><kbd>Tab</kbd> / <kbd>Shift</kbd>+<kbd>Tab</kbd></dt><dd>Move between controls</dd></div>
            <div className="prop"><dt><kbd>/</kbd></dt><dd>Search groups (on the Groups screen)</dd></div>
            <div className="prop"><dt><kbd>Enter</kbd></dt><dd>Save the open dialog</dd></div>
            <div className="prop"><dt><kbd>Esc</kbd></dt><dd>Close the open dialog without saving</dd></div>
          </dl>
        </div>
      </section>
    </div>
  )
}
