// Settings → Security: two-factor authentication. Off: what it is for and
// "Set up two-factor authentication". On: since when, recovery codes left,
// the idle hours after which a change to XPM asks for a code again, Lock
// now, Turn off (with a code, not while connected) and the way out for a
// lost authenticator (Reset, only while not connected).
import { useEffect, useState } from 'react'
import { Lock, ShieldCheck, ShieldOff } from 'lucide-react'
import ConfirmDialog from '../ConfirmDialog'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Field from '../Field'
import { useToast } from '../Toasts'
import CodeField, { type CodeKind } from './CodeField'
import { useConnection } from '../connection/ConnectionProvider'
import { connectionApi } from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'
import { formatUpdated, plural } from '../../lib/format'

function TurnOffDialog({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { setTwoFactor } = useConnection()
  const [kind, setKind] = useState<CodeKind>('totp')
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  async function submit() {
    setBusy(true)
    setError(undefined)
    try {
      setTwoFactor(await connectionApi.disableTwoFactor(code))
      onDone()
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Turn off two-factor authentication?"
      description="Enter a code to confirm. You will need to set it up again before connecting to Xero."
      onClose={onCancel}
      onSubmit={submit}
      busy={busy}
      width="sm"
      testId="turn-off-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={busy || !code.trim()}>
            {busy ? 'Checking…' : 'Turn off'}
          </button>
        </>
      }
    >
      <ErrorBanner error={unshownError(error, ['code'])} />
      <CodeField kind={kind} onKindChange={setKind} value={code} onChange={setCode} error={error?.field('code')} />
    </Dialog>
  )
}

export default function SecuritySection() {
  const { twoFactor, status, setUpTwoFactor, setTwoFactor } = useConnection()
  const toast = useToast()
  const [hours, setHours] = useState('')
  const [hoursError, setHoursError] = useState<AppError>()
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [turnOff, setTurnOff] = useState(false)
  const [reset, setReset] = useState(false)

  const saved = twoFactor ? String(twoFactor.idleLockHours) : ''
  useEffect(() => setHours(saved), [saved])

  if (!twoFactor) return null
  const connected = status?.state === 'connected' || status?.state === 'reconnect_needed'
  const since = formatUpdated(twoFactor.enabledAt)

  async function saveHours() {
    setBusy(true)
    setHoursError(undefined)
    try {
      const n = Number(hours.trim())
      setTwoFactor(await connectionApi.setIdleHours(Number.isInteger(n) ? n : -1))
      toast('Saved')
    } catch (e) {
      setHoursError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  async function lockNow() {
    setError(undefined)
    try {
      setTwoFactor(await connectionApi.lockNow())
    } catch (e) {
      setError(toAppError(e))
    }
  }

  async function doReset() {
    setTwoFactor(await connectionApi.resetTwoFactor())
    setReset(false)
    toast('Two-factor authentication was reset')
  }

  if (!twoFactor.enabled) {
    return (
      <div className="card security-card" data-testid="security-card">
        <div className="conn-head">
          <div className="conn-icon conn-not_connected" aria-hidden>
            <ShieldOff size={22} />
          </div>
          <div className="conn-head-text">
            <p className="conn-title" data-testid="twofactor-state">
              Two-factor authentication is off
            </p>
            <p className="conn-subtitle">
              Xero requires it before Structura connects to Xero Practice Manager. Each time it matters, Structura asks
              for a 6-digit code from an authenticator app on your phone — Microsoft Authenticator, Google Authenticator,
              1Password or any other.
            </p>
          </div>
          <div className="conn-actions">
            <button type="button" className="button button-primary" onClick={() => setUpTwoFactor()} data-testid="setup-2fa-button">
              <ShieldCheck size={16} aria-hidden /> Set up two-factor authentication
            </button>
          </div>
        </div>
      </div>
    )
  }

  const lowCodes = twoFactor.recoveryCodesLeft <= 3
  return (
    <div className="card security-card" data-testid="security-card">
      <div className="conn-head">
        <div className="conn-icon conn-connected" aria-hidden>
          <ShieldCheck size={22} />
        </div>
        <div className="conn-head-text">
          <p className="conn-title" data-testid="twofactor-state">
            Two-factor authentication is on
          </p>
          <p className="conn-subtitle">
            {connected
              ? 'While Structura is connected to Xero, it asks for a code when it opens, and before a change to XPM after the hours below without use.'
              : 'Structura asks for a code before connecting to Xero, and while connected, when it opens.'}
          </p>
        </div>
        {connected && (
          <div className="conn-actions">
            <button type="button" className="button button-secondary" onClick={lockNow} data-testid="lock-now">
              <Lock size={16} aria-hidden /> Lock now
            </button>
          </div>
        )}
      </div>
      <dl className="props conn-props">
        {since && (
          <div className="prop">
            <dt>Turned on</dt>
            <dd>{since}</dd>
          </div>
        )}
        <div className="prop">
          <dt>Recovery codes</dt>
          <dd className={lowCodes ? 'text-warning' : undefined} data-testid="recovery-left">
            {plural(twoFactor.recoveryCodesLeft, 'unused code', 'unused codes')} left
            {lowCodes && ' — turn two-factor authentication off and on again (while disconnected) for new ones.'}
          </dd>
        </div>
      </dl>
      <form
        className="idle-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          if (!busy && hours.trim() !== saved) void saveHours()
        }}
      >
        <Field
          label="Ask for a code again after"
          help="Hours without using Xero after which a change to XPM asks for a code (1 to 168)."
          error={hoursError?.field('idleLockHours')}
        >
          <input className="input input-port" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} data-testid="idle-hours" />
        </Field>
        <span className="idle-unit">hours</span>
        <button type="submit" className="button button-secondary" disabled={busy || hours.trim() === saved}>
          Save
        </button>
      </form>
      <ErrorBanner error={unshownError(hoursError, ['idleLockHours'])} />
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      <div className="security-foot">
        {connected ? (
          <p className="muted">
            To turn two-factor authentication off, disconnect from Xero first. Disconnecting keeps all your local data.
          </p>
        ) : (
          <>
            <button type="button" className="button button-secondary" onClick={() => setTurnOff(true)} data-testid="turn-off-2fa">
              <ShieldOff size={16} aria-hidden /> Turn off
            </button>
            <button type="button" className="link-button" onClick={() => setReset(true)}>
              Lost your authenticator app and recovery codes?
            </button>
          </>
        )}
      </div>
      {turnOff && (
        <TurnOffDialog
          onCancel={() => setTurnOff(false)}
          onDone={() => {
            setTurnOff(false)
            toast('Two-factor authentication is off')
          }}
        />
      )}
      {reset && (
        <ConfirmDialog title="Reset two-factor authentication?" confirmLabel="Reset" onConfirm={doReset} onCancel={() => setReset(false)} testId="reset-2fa-dialog">
          <p>
            Use this only if you no longer have your authenticator app or your recovery codes. Structura is not
            connected to Xero, so no code is needed.
          </p>
          <p>Two-factor authentication is turned off; set it up again with your new phone before you connect.</p>
        </ConfirmDialog>
      )}
    </div>
  )
}
