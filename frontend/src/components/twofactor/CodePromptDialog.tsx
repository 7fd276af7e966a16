// "Enter your two-factor code to continue.": asked when the backend needs a
// code (a change to XPM after the idle hours, connecting again later).
import { useState } from 'react'
import { ShieldCheck } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import CodeField, { type CodeKind } from './CodeField'
import { connectionApi, type TwoFactorStatus } from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'

export default function CodePromptDialog({
  onUnlocked,
  onCancel,
}: {
  onUnlocked: (s: TwoFactorStatus) => void
  onCancel: () => void
}) {
  const [kind, setKind] = useState<CodeKind>('totp')
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  async function submit() {
    setBusy(true)
    setError(undefined)
    try {
      onUnlocked(await connectionApi.unlock(code))
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Enter your two-factor code"
      description="Structura protects your Xero connection with two-factor authentication. Enter a code to continue."
      onClose={onCancel}
      onSubmit={submit}
      busy={busy}
      width="sm"
      testId="code-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !code.trim()}>
            <ShieldCheck size={16} aria-hidden /> {busy ? 'Checking…' : 'Continue'}
          </button>
        </>
      }
    >
      <ErrorBanner error={unshownError(error, ['code'])} />
      <CodeField kind={kind} onKindChange={setKind} value={code} onChange={setCode} error={error?.field('code')} />
    </Dialog>
  )
}
