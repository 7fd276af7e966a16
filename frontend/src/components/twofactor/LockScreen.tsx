// Shown instead of the app while Structura is connected to Xero and no
// two-factor code has been entered since it opened. A code (or a recovery
// code) unlocks it; someone who lost both can still disconnect, which needs
// no code and keeps every local record.
import { useState } from 'react'
import { LockKeyhole, Unplug } from 'lucide-react'
import { Logo } from '../Sidebar'
import ConfirmDialog from '../ConfirmDialog'
import ErrorBanner from '../ErrorBanner'
import CodeField, { type CodeKind } from './CodeField'
import { connectionApi, type ConnectionStatus, type TwoFactorStatus } from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'

export default function LockScreen({
  status,
  onUnlocked,
  onStatus,
}: {
  status?: ConnectionStatus
  onUnlocked: (s: TwoFactorStatus) => void
  onStatus: (s: ConnectionStatus) => void
}) {
  const [kind, setKind] = useState<CodeKind>('totp')
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()
  const [confirmDisconnect, setConfirmDisconnect] = useState(false)
  const practice = status?.tenantName

  async function unlock(e: React.FormEvent) {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(undefined)
    try {
      onUnlocked(await connectionApi.unlock(code))
    } catch (err) {
      setError(toAppError(err))
      setBusy(false)
    }
  }

  async function disconnect() {
    const r = await connectionApi.disconnect()
    onStatus(r.status)
    setConfirmDisconnect(false)
    onUnlocked(await connectionApi.twoFactorStatus())
  }

  return (
    <div className="lock-screen" data-testid="lock-screen">
      <form className="lock-card" onSubmit={unlock} noValidate>
        <div className="startup-brand">
          <Logo size={30} />
          <span className="brand-name">Structura</span>
        </div>
        <div className="lock-icon" aria-hidden>
          <LockKeyhole size={26} />
        </div>
        <h1 className="startup-title">Structura is locked</h1>
        <p className="lock-lead">
          {practice
            ? `Structura is connected to ${practice} in Xero Practice Manager. Enter a two-factor code to open it.`
            : 'Structura is connected to Xero Practice Manager. Enter a two-factor code to open it.'}
        </p>
        <div className="lock-form">
          <ErrorBanner error={unshownError(error, ['code'])} />
          <CodeField kind={kind} onKindChange={setKind} value={code} onChange={setCode} error={error?.field('code')} autoFocus />
          <button type="submit" className="button button-primary lock-submit" disabled={busy || !code.trim()}>
            {busy ? 'Checking…' : 'Unlock'}
          </button>
        </div>
        <div className="lock-foot">
          <p>Lost your authenticator app and your recovery codes?</p>
          <button type="button" className="button button-ghost button-sm" onClick={() => setConfirmDisconnect(true)}>
            <Unplug size={14} aria-hidden /> Disconnect from Xero
          </button>
        </div>
      </form>
      {confirmDisconnect && (
        <ConfirmDialog
          title="Disconnect from Xero?"
          confirmLabel="Disconnect"
          onConfirm={disconnect}
          onCancel={() => setConfirmDisconnect(false)}
          testId="lock-disconnect-dialog"
        >
          <p>
            Structura stops using {practice ?? 'your practice'} and removes its access at Xero. No code is needed for
            this.
          </p>
          <p>
            Every group, entity, relationship and link stays on this computer. Afterwards you can set up two-factor
            authentication again (Settings → Security) and connect again.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}
