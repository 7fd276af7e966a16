// Setting up two-factor authentication: scan the QR code (or type the key)
// in any authenticator app, confirm with a code, then save the one-time
// recovery codes. The key and the recovery codes are shown here only, once:
// they are never shown again anywhere.
import { useEffect, useState } from 'react'
import { CircleCheck, Printer, ShieldCheck } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import CodeField from './CodeField'
import CopyButton from '../connection/CopyButton'
import {
  connectionApi,
  type TwoFactorConfirmation,
  type TwoFactorEnrolment,
  type TwoFactorStatus,
} from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to type. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ')
}

type Step = 'loading' | 'scan' | 'codes' | 'failed'

export default function EnrolmentDialog({
  thenConnect,
  onClose,
  onConnect,
  onStatus,
}: {
  /** Opened from Connect: the last step offers "Connect to Xero now". */
  thenConnect?: boolean
  onClose: () => void
  onConnect: () => void
  onStatus: (s: TwoFactorStatus) => void
}) {
  const [step, setStep] = useState<Step>('loading')
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment>()
  const [confirmation, setConfirmation] = useState<TwoFactorConfirmation>()
  const [code, setCode] = useState('')
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  async function begin() {
    setStep('loading')
    setError(undefined)
    setCode('')
    try {
      setEnrolment(await connectionApi.beginEnrolment())
      setStep('scan')
    } catch (e) {
      setError(toAppError(e))
      setStep('failed')
    }
  }

  useEffect(() => {
    void begin()
  }, [])

  async function confirm() {
    setBusy(true)
    setError(undefined)
    try {
      const c = await connectionApi.confirmEnrolment(code)
      setConfirmation(c)
      onStatus(c.status)
      setEnrolment(undefined) // the key is not kept once it is saved
      setStep('codes')
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  const codesText = confirmation ? confirmation.recoveryCodes.join('\n') : ''
  // The recovery codes are shown once: closing before saying they are saved
  // is not offered.
  const mustStay = step === 'codes' && !saved

  let body
  let footer
  if (step === 'loading') {
    body = <Spinner label="Preparing a new key…" />
  } else if (step === 'failed') {
    body = <ErrorBanner error={error} />
    footer = (
      <>
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
        <button type="button" className="button button-primary" onClick={begin}>
          Try again
        </button>
      </>
    )
  } else if (step === 'scan' && enrolment) {
    body = (
      <div className="enrol" data-testid="enrol-scan">
        <ol className="enrol-steps">
          <li>
            <p className="enrol-step-title">Add Structura to your authenticator app</p>
            <p className="muted">
              Use any authenticator app, such as Microsoft Authenticator, Google Authenticator, 1Password or Authy: add
              an account and scan this QR code.
            </p>
            <div className="enrol-qr-row">
              <img className="enrol-qr" src={enrolment.qrCodeDataUrl} alt="QR code to scan with your authenticator app" width={168} height={168} />
              <div className="enrol-secret-box">
                <p className="field-label">Can't scan it? Type this key instead</p>
                <p className="enrol-secret mono selectable" data-testid="totp-secret">
                  {groupSecret(enrolment.secret)}
                </p>
                <p className="field-help">
                  Account: {enrolment.issuer} ({enrolment.accountName}) · time-based · {enrolment.digits} digits
                </p>
                <CopyButton text={enrolment.secret} label="Copy key" />
              </div>
            </div>
          </li>
          <li>
            <p className="enrol-step-title">Enter the code it shows</p>
            <ErrorBanner error={unshownError(error, ['code'])} />
            <CodeField kind="totp" value={code} onChange={setCode} error={error?.field('code')} allowRecovery={false} />
          </li>
        </ol>
      </div>
    )
    footer = (
      <>
        <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy || !code.trim()}>
          <ShieldCheck size={16} aria-hidden /> {busy ? 'Checking…' : 'Turn on two-factor authentication'}
        </button>
      </>
    )
  } else if (step === 'codes' && confirmation) {
    body = (
      <div className="enrol" data-testid="enrol-codes">
        <div className="enrol-done">
          <CircleCheck size={20} aria-hidden />
          <span>Two-factor authentication is on.</span>
        </div>
        <p className="enrol-step-title">Save your recovery codes</p>
        <p className="muted">
          If you lose your phone or authenticator app, each of these codes unlocks Structura once. Keep them somewhere
          safe, away from this computer — a password manager or a printed copy. They are shown only now.
        </p>
        <ol className="recovery-codes mono selectable" data-testid="recovery-codes">
          {confirmation.recoveryCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ol>
        <div className="recovery-actions">
          <CopyButton text={codesText} label="Copy codes" />
          <button type="button" className="button button-secondary button-sm" onClick={() => window.print()}>
            <Printer size={14} aria-hidden /> Print
          </button>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} data-testid="codes-saved" />
          <span>I have saved my recovery codes somewhere safe</span>
        </label>
      </div>
    )
    footer = thenConnect ? (
      <>
        <button type="button" className="button button-secondary" onClick={onClose} disabled={!saved}>
          Not now
        </button>
        <button type="button" className="button button-primary" onClick={onConnect} disabled={!saved}>
          Connect to Xero now
        </button>
      </>
    ) : (
      <button type="button" className="button button-primary" onClick={onClose} disabled={!saved}>
        Done
      </button>
    )
  }

  return (
    <Dialog
      title="Set up two-factor authentication"
      description={
        step === 'codes'
          ? undefined
          : 'Xero requires it before Structura connects to Xero Practice Manager. It takes about a minute.'
      }
      onClose={onClose}
      onSubmit={step === 'scan' ? confirm : undefined}
      busy={busy || mustStay}
      width="md"
      testId="enrol-dialog"
      footer={footer}
    >
      {body}
    </Dialog>
  )
}
