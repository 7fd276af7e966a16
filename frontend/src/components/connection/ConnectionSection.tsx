// Settings → XPM connection, top card: where Structura stands with XPM
// (not connected / connected to a practice / reconnect needed), and the
// actions for that state: Connect, Test connection, Reconnect, Disconnect.
import { useEffect, useState } from 'react'
import { Activity, Info, Plug, PlugZap, RefreshCw, TriangleAlert, Unplug } from 'lucide-react'
import ConfirmDialog from '../ConfirmDialog'
import ErrorBanner from '../ErrorBanner'
import { useToast } from '../Toasts'
import TestResultPanel from './TestResultPanel'
import { useConnection } from './ConnectionProvider'
import { describeLinkCounts, describeParked } from './describe'
import { connectionApi, isCodeNeeded, type TestResult } from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { formatUpdated } from '../../lib/format'

export default function ConnectionSection({ settingsDirty }: { settingsDirty?: boolean }) {
  const { status, twoFactor, connect, askForCode, setStatus, refresh } = useConnection()
  const toast = useToast()
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<TestResult>()
  const [error, setError] = useState<AppError>()
  const [warning, setWarning] = useState<string>()
  const [confirm, setConfirm] = useState(false)

  // Link counts change without a connection event (importing groups): read
  // the status again when the screen opens.
  useEffect(() => {
    void refresh()
  }, [refresh])

  if (!status) return null
  const state = status.state
  const connected = state === 'connected'
  const reconnect = state === 'reconnect_needed'
  const practice = status.tenantName ?? 'your practice'
  const linked = describeLinkCounts(status.activeLinks)
  const connecting = !connected && !reconnect && !!status.connectAttemptId

  async function test(retry = true) {
    setTesting(true)
    setError(undefined)
    setResult(undefined)
    try {
      setResult(await connectionApi.test())
    } catch (e) {
      const err = toAppError(e)
      if (retry && isCodeNeeded(err) && (await askForCode())) return void test(false)
      setError(err)
    } finally {
      setTesting(false)
    }
  }

  async function openConfirm() {
    await refresh()
    setConfirm(true)
  }

  async function disconnect() {
    const r = await connectionApi.disconnect()
    setStatus(r.status)
    setConfirm(false)
    setResult(undefined)
    setWarning(r.warning || undefined)
    toast(`Disconnected from ${practice}. Your local data and links are kept.`)
  }

  let title: string
  let subtitle: string
  if (connected) {
    title = status.label
    subtitle = status.sandbox
      ? 'The built-in sandbox: a demo practice on this computer. Nothing is sent to Xero.'
      : 'Structura reads and updates this practice in Xero Practice Manager when you sync.'
  } else if (reconnect) {
    title = `${status.label}: ${practice}`
    subtitle = status.reason || 'Xero no longer accepts Structura’s connection. Your local data and links are kept.'
  } else {
    title = connecting ? 'Connecting…' : status.label
    subtitle =
      status.environment === 'sandbox'
        ? 'Connect to the built-in sandbox to try importing and syncing with a demo practice. Nothing leaves this computer.'
        : 'Connect to your practice in Xero Practice Manager: your browser opens Xero’s sign-in page.'
  }

  return (
    <div className="card conn-card" data-testid="connection-card">
      <div className="conn-head">
        <div className={`conn-icon conn-${state}`} aria-hidden>
          {connected ? <PlugZap size={22} /> : reconnect ? <TriangleAlert size={22} /> : <Plug size={22} />}
        </div>
        <div className="conn-head-text">
          <p className="conn-title">
            <span data-testid="settings-connection-label">{title}</span>
            {status.sandbox && <span className="badge badge-accent">Sandbox</span>}
          </p>
          <p className="conn-subtitle">{subtitle}</p>
        </div>
        <div className="conn-actions">
          {connected && (
            <>
              <button type="button" className="button button-secondary" onClick={() => test()} disabled={testing} data-testid="test-button">
                <Activity size={16} aria-hidden /> {testing ? 'Testing…' : 'Test connection'}
              </button>
              <button type="button" className="button button-secondary button-danger-text" onClick={openConfirm} data-testid="disconnect-button">
                <Unplug size={16} aria-hidden /> Disconnect
              </button>
            </>
          )}
          {reconnect && (
            <>
              <button type="button" className="button button-primary" onClick={connect} data-testid="reconnect-button">
                <RefreshCw size={16} aria-hidden /> Reconnect
              </button>
              <button type="button" className="button button-secondary button-danger-text" onClick={openConfirm} data-testid="disconnect-button">
                <Unplug size={16} aria-hidden /> Disconnect
              </button>
            </>
          )}
          {!connected && !reconnect && (
            <button type="button" className="button button-primary" onClick={connect} disabled={settingsDirty} data-testid="connect-button">
              <Plug size={16} aria-hidden /> Connect
            </button>
          )}
        </div>
      </div>

      {!connected && !reconnect && settingsDirty && (
        <p className="conn-note">Save the connection settings below before connecting.</p>
      )}
      {!connected && !reconnect && !settingsDirty && twoFactor && !twoFactor.enabled && (
        <p className="conn-note">
          <Info size={14} aria-hidden /> Xero requires two-factor authentication first: Structura helps you set it up when you
          click Connect.
        </p>
      )}

      {(connected || reconnect) && (
        <dl className="props conn-props">
          <div className="prop">
            <dt>Practice</dt>
            <dd data-testid="connection-practice">{practice}</dd>
          </div>
          {(status.connectedBy || status.connectedEmail) && (
            <div className="prop">
              <dt>Connected by</dt>
              <dd>
                {status.connectedBy}
                {status.connectedEmail && <span className="muted"> {status.connectedBy ? `(${status.connectedEmail})` : status.connectedEmail}</span>}
              </dd>
            </div>
          )}
          {formatUpdated(status.connectedAt) && (
            <div className="prop">
              <dt>Connected since</dt>
              <dd>{formatUpdated(status.connectedAt)}</dd>
            </div>
          )}
          <div className="prop">
            <dt>Linked to this practice</dt>
            <dd>{linked || 'Nothing linked yet: import groups on the Sync screen.'}</dd>
          </div>
        </dl>
      )}

      {status.parkedLinks.length > 0 && (
        <div className="conn-parked" data-testid="parked-links">
          {status.parkedLinks.map((p) => (
            <p key={p.tenantId}>
              <Info size={14} aria-hidden /> {describeParked(p)}
            </p>
          ))}
        </div>
      )}

      {warning && (
        <div className="banner banner-warning" role="status" data-testid="disconnect-warning">
          <TriangleAlert size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">Disconnected here, with one thing to check</p>
            <p className="banner-hint">{warning}</p>
          </div>
          <div className="banner-actions">
            <button type="button" className="button button-ghost button-sm" onClick={() => setWarning(undefined)}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      {result && <TestResultPanel result={result} onDismiss={() => setResult(undefined)} />}

      {confirm && (
        <ConfirmDialog
          title={`Disconnect from ${practice}?`}
          confirmLabel="Disconnect"
          onConfirm={disconnect}
          onCancel={() => setConfirm(false)}
          testId="disconnect-dialog"
        >
          <p>Structura removes its access at Xero and forgets its sign-in on this computer.</p>
          <p>
            <strong>Nothing local is deleted:</strong> every group, entity, relationship and link stays in Structura
            {linked ? ` (linked to this practice: ${linked})` : ''}. If you connect to {practice} again, the links work
            again; connecting to a different practice keeps them aside.
          </p>
          {twoFactor?.enabled && (
            <p className="muted">Two-factor authentication stays on. You can turn it off under Security afterwards.</p>
          )}
        </ConfirmDialog>
      )}
    </div>
  )
}
