// Connect (and Reconnect): starts the sign-in in the system browser, waits
// for Xero's answer on the loopback redirect, lets the user pick a practice
// when there are several, and ends connected, failed (message + what to
// try), timed out or cancelled. Each stage comes from connect:progress.
import { useEffect, useReducer, useRef, useState } from 'react'
import { CircleCheck, ExternalLink, ShieldCheck, TriangleAlert } from 'lucide-react'
import Dialog from '../Dialog'
import ErrorBanner from '../ErrorBanner'
import Spinner from '../Spinner'
import CodeField, { type CodeKind } from '../twofactor/CodeField'
import CopyButton from './CopyButton'
import {
  connectionApi,
  FINAL_STAGES,
  isCodeNeeded,
  isTwoFactorMissing,
  onConnectProgress,
  type ConnectAttempt,
  type ConnectionStatus,
  type ConnectProgress,
} from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'
import { plural } from '../../lib/format'

type ErrorInfo = Pick<AppError, 'message' | 'hint'>

export type ConnectState =
  | { phase: 'starting' }
  /** StartConnect refused: two-factor protection is off. */
  | { phase: 'needs-2fa'; error: ErrorInfo }
  /** StartConnect refused: a two-factor code is needed first. */
  | { phase: 'needs-code'; error: ErrorInfo }
  /** StartConnect refused for another reason (port in use, no client id…). */
  | { phase: 'refused'; error: AppError }
  | { phase: 'attempt'; attempt: ConnectAttempt; progress: ConnectProgress; rejected?: ErrorInfo }

type Action =
  | { type: 'start' }
  | { type: 'refused'; error: AppError }
  | { type: 'started'; attempt: ConnectAttempt; events: ConnectProgress[] }
  | { type: 'progress'; p: ConnectProgress }
  /** ChooseTenant answered: connected, unless an event already said so. */
  | { type: 'chosen'; p: ConnectProgress }

function applyProgress(s: ConnectState, p: ConnectProgress): ConnectState {
  if (s.phase !== 'attempt' || p.attemptId !== s.attempt.attemptId) return s
  // An attempt that has ended stays ended (the backend's own "connected"
  // may still replace the one ChooseTenant's answer put there first).
  if (FINAL_STAGES.has(s.progress.stage) && !(s.progress.stage === 'connected' && p.stage === 'connected')) return s
  if (p.stage === 'callback_rejected') {
    return { ...s, rejected: p.error ? { message: p.error.message, hint: p.error.hint } : { message: p.message } }
  }
  return { ...s, progress: p, rejected: p.stage === 'waiting_for_browser' ? s.rejected : undefined }
}

export function connectReducer(s: ConnectState, a: Action): ConnectState {
  switch (a.type) {
    case 'start':
      return { phase: 'starting' }
    case 'refused':
      if (isTwoFactorMissing(a.error)) return { phase: 'needs-2fa', error: a.error }
      if (isCodeNeeded(a.error)) return { phase: 'needs-code', error: a.error }
      return { phase: 'refused', error: a.error }
    case 'started': {
      let next: ConnectState = {
        phase: 'attempt',
        attempt: a.attempt,
        progress: {
          attemptId: a.attempt.attemptId,
          stage: 'waiting_for_browser',
          message: 'Waiting for you to approve Structura in your browser…',
        },
      }
      for (const p of a.events) next = applyProgress(next, p)
      return next
    }
    case 'progress':
      return applyProgress(s, a.p)
    case 'chosen':
      return s.phase === 'attempt' && FINAL_STAGES.has(s.progress.stage) ? s : applyProgress(s, a.p)
  }
}

function clock(t: unknown): string {
  const d = new Date(String(t))
  if (Number.isNaN(d.getTime()) || d.getFullYear() < 2000) return ''
  return d.toLocaleTimeString('en-AU', { hour: 'numeric', minute: '2-digit' })
}

export default function ConnectDialog({
  onClose,
  onSetUpTwoFactor,
  onStatus,
}: {
  onClose: () => void
  onSetUpTwoFactor: () => void
  onStatus: (s: ConnectionStatus) => void
}) {
  const [state, dispatch] = useReducer(connectReducer, { phase: 'starting' })
  const [tenant, setTenant] = useState('')
  const [busy, setBusy] = useState(false)
  const [actionError, setActionError] = useState<AppError>()
  const [codeKind, setCodeKind] = useState<CodeKind>('totp')
  const [code, setCode] = useState('')
  const [codeError, setCodeError] = useState<AppError>()
  // Events that arrive before StartConnect answers (it emits the first one
  // itself) wait here until the attempt id is known.
  const early = useRef<ConnectProgress[] | null>(null)
  const seq = useRef(0)

  useEffect(
    () =>
      onConnectProgress((p) => {
        if (early.current) early.current.push(p)
        else dispatch({ type: 'progress', p })
      }),
    [],
  )

  async function start() {
    const n = ++seq.current
    dispatch({ type: 'start' })
    setActionError(undefined)
    setTenant('')
    early.current = []
    try {
      const attempt = await connectionApi.startConnect()
      if (n !== seq.current) return
      const events = early.current ?? []
      early.current = null
      dispatch({ type: 'started', attempt, events })
    } catch (e) {
      early.current = null
      if (n === seq.current) dispatch({ type: 'refused', error: toAppError(e) })
    }
  }

  useEffect(() => {
    void start()
  }, [])

  const stage = state.phase === 'attempt' ? state.progress.stage : undefined
  const active = stage !== undefined && !FINAL_STAGES.has(stage)

  // The first practice is preselected when the list arrives.
  const tenants = state.phase === 'attempt' ? (state.progress.tenants ?? []) : []
  useEffect(() => {
    if (stage === 'choose_tenant' && tenants.length > 0 && !tenants.some((t) => t.tenantId === tenant)) setTenant(tenants[0].tenantId)
  }, [stage, tenants, tenant])

  useEffect(() => {
    if (state.phase === 'attempt' && state.progress.stage === 'connected' && state.progress.status) onStatus(state.progress.status)
  }, [state, onStatus])

  async function cancel() {
    if (state.phase !== 'attempt') return onClose()
    setBusy(true)
    try {
      await connectionApi.cancelConnect(state.attempt.attemptId)
    } catch {
      // The attempt had already ended: its last event says how.
    } finally {
      setBusy(false)
    }
  }

  function close() {
    // Closing while waiting gives up the attempt (and frees the port).
    if (active && state.phase === 'attempt') void connectionApi.cancelConnect(state.attempt.attemptId).catch(() => {})
    onClose()
  }

  async function reopen() {
    if (state.phase !== 'attempt') return
    setActionError(undefined)
    try {
      await connectionApi.reopenBrowser(state.attempt.attemptId)
    } catch (e) {
      setActionError(toAppError(e))
    }
  }

  async function choose() {
    if (state.phase !== 'attempt' || !tenant) return
    setBusy(true)
    setActionError(undefined)
    try {
      const st = await connectionApi.chooseTenant(state.attempt.attemptId, tenant)
      onStatus(st)
      dispatch({
        type: 'chosen',
        p: { attemptId: state.attempt.attemptId, stage: 'connected', message: `Connected to ${st.tenantName ?? ''}.`, status: st },
      })
    } catch (e) {
      setActionError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  async function unlockThenStart() {
    setBusy(true)
    setCodeError(undefined)
    try {
      await connectionApi.unlock(code)
      setCode('')
      void start()
    } catch (e) {
      setCodeError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  let title = 'Connect to Xero Practice Manager'
  let body
  let footer
  let onSubmit: (() => void) | undefined

  const closeButton = (label = 'Close') => (
    <button type="button" className="button button-secondary" onClick={close}>
      {label}
    </button>
  )

  if (state.phase === 'starting') {
    body = <Spinner label="Opening Xero's sign-in page…" />
    footer = closeButton('Cancel')
  } else if (state.phase === 'needs-2fa') {
    body = (
      <div data-testid="connect-needs-2fa">
        <ErrorBanner error={state.error} />
        <p className="muted">
          Two-factor authentication asks for a code from an app on your phone, so nobody else can reach your practice's
          data through Structura.
        </p>
      </div>
    )
    footer = (
      <>
        {closeButton()}
        <button type="button" className="button button-primary" onClick={onSetUpTwoFactor}>
          <ShieldCheck size={16} aria-hidden /> Set up two-factor authentication
        </button>
      </>
    )
  } else if (state.phase === 'needs-code') {
    onSubmit = unlockThenStart
    body = (
      <div data-testid="connect-needs-code">
        <p className="dialog-lead">{state.error.message}</p>
        <ErrorBanner error={unshownError(codeError, ['code'])} />
        <CodeField kind={codeKind} onKindChange={setCodeKind} value={code} onChange={setCode} error={codeError?.field('code')} autoFocus />
      </div>
    )
    footer = (
      <>
        {closeButton('Cancel')}
        <button type="submit" className="button button-primary" disabled={busy || !code.trim()}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
      </>
    )
  } else if (state.phase === 'refused') {
    title = 'Structura could not start connecting'
    body = (
      <div data-testid="connect-refused">
        <ErrorBanner error={unshownError(state.error, [])} />
      </div>
    )
    footer = (
      <>
        {closeButton()}
        <button type="button" className="button button-primary" onClick={start}>
          Try again
        </button>
      </>
    )
  } else {
    const { attempt, progress, rejected } = state
    const sandbox = attempt.environment === 'sandbox'
    switch (progress.stage) {
      case 'waiting_for_browser':
      case 'callback_rejected': {
        const until = clock(attempt.expiresAt)
        body = (
          <div className="connect-wait" data-testid="connect-waiting">
            <Spinner label={progress.message || 'Waiting for you to approve Structura in your browser…'} />
            {attempt.browserOpened ? (
              <p className="muted">
                {sandbox
                  ? 'The sandbox sign-in page opened in your browser: choose who signs in, then click Allow access.'
                  : "Xero's sign-in page opened in your browser: sign in, choose your practice, then click Allow access."}{' '}
                When it says you can close the tab, come back here.
              </p>
            ) : (
              <div className="connect-url">
                <ErrorBanner error={{ message: attempt.browserError || 'Structura could not open your browser.', hint: 'Copy this address into your browser to sign in:' }} />
                <div className="copy-row">
                  <code className="mono selectable copy-value">{attempt.browserUrl}</code>
                  <CopyButton text={attempt.browserUrl} />
                </div>
              </div>
            )}
            {rejected && (
              <div className="banner banner-warning" role="status" data-testid="connect-rejected">
                <TriangleAlert size={18} aria-hidden className="banner-icon" />
                <div className="banner-text">
                  <p className="banner-message">{rejected.message}</p>
                  {rejected.hint && <p className="banner-hint">{rejected.hint}</p>}
                  <p className="banner-hint">Structura is still waiting for this sign-in.</p>
                </div>
              </div>
            )}
            <ErrorBanner error={actionError} />
            {until && <p className="connect-note">If nothing happens, this sign-in ends at {until}.</p>}
          </div>
        )
        footer = (
          <>
            <button type="button" className="button button-secondary" onClick={reopen} disabled={busy}>
              <ExternalLink size={15} aria-hidden /> Open again
            </button>
            <button type="button" className="button button-secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
          </>
        )
        break
      }
      case 'listing_tenants':
        body = (
          <div data-testid="connect-listing">
            <Spinner label={progress.message || 'Signed in to Xero. Looking for your practices…'} />
          </div>
        )
        footer = (
          <button type="button" className="button button-secondary" onClick={cancel} disabled={busy}>
            Cancel
          </button>
        )
        break
      case 'choose_tenant': {
        title = tenants.length > 1 ? 'Choose your practice' : 'Confirm your practice'
        onSubmit = choose
        const chosen = tenants.find((t) => t.tenantId === tenant)
        body = (
          <div data-testid="connect-choose">
            <p className="dialog-lead">
              {tenants.length > 1
                ? 'You gave Structura access to more than one practice. Choose the one to connect; you can change it later by disconnecting.'
                : 'Check that this is the practice to connect.'}
            </p>
            <ul className="choice-list" role="radiogroup" aria-label="Practices">
              {tenants.map((t) => (
                <li key={t.tenantId}>
                  <label className={`choice${t.tenantId === tenant ? ' choice-selected' : ''}`} data-testid="tenant-choice">
                    <input
                      type="radio"
                      name="tenant"
                      value={t.tenantId}
                      checked={t.tenantId === tenant}
                      onChange={() => setTenant(t.tenantId)}
                      aria-label={t.tenantName}
                    />
                    <span className="choice-text">
                      <span className="choice-title">{t.tenantName}</span>
                      <span className="choice-detail">
                        {t.restoresLinks > 0
                          ? `Brings back ${plural(t.restoresLinks, 'link', 'links')} you made with this practice before.`
                          : 'Xero Practice Manager practice'}
                      </span>
                      {t.warning && (
                        <span className="choice-warning">
                          <TriangleAlert size={14} aria-hidden /> {t.warning}
                        </span>
                      )}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            <ErrorBanner error={actionError} />
          </div>
        )
        footer = (
          <>
            <button type="button" className="button button-secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy || !chosen}>
              {busy ? 'Connecting…' : chosen ? `Connect to ${chosen.tenantName}` : 'Connect'}
            </button>
          </>
        )
        break
      }
      case 'connected': {
        title = 'Connected'
        const name = progress.status?.tenantName
        // The backend's message starts with "Connected to <practice>." (the
        // title): show only what it adds, such as links active again.
        const msg = progress.message || ''
        const lead = `Connected to ${name ?? ''}.`
        const extra = (msg.startsWith(lead) ? msg.slice(lead.length) : msg).trim()
        body = (
          <div className="connect-result" data-testid="connect-connected">
            <div className="result-icon result-ok" aria-hidden>
              <CircleCheck size={28} />
            </div>
            <p className="result-title">{name ? `Connected to ${name}` : 'Connected'}</p>
            {extra && <p className="muted">{extra}</p>}
            {!progress.linksRestored && <p className="muted">Next, import your client groups from XPM on the Sync screen.</p>}
            {sandbox && (
              <p className="muted">
                This is the built-in sandbox: a demo practice on this computer. Nothing is sent to Xero.
              </p>
            )}
          </div>
        )
        footer = (
          <button type="button" className="button button-primary" onClick={onClose} autoFocus>
            Done
          </button>
        )
        break
      }
      case 'cancelled':
        title = 'Connecting was cancelled'
        body = (
          <div className="connect-result" data-testid="connect-cancelled">
            <p>{progress.message || 'Connecting was cancelled.'}</p>
            <p className="muted">Nothing was changed. You can connect whenever you are ready.</p>
          </div>
        )
        footer = (
          <>
            {closeButton()}
            <button type="button" className="button button-primary" onClick={start}>
              Connect again
            </button>
          </>
        )
        break
      default: {
        // failed, timed_out
        title = 'Structura could not connect'
        const err: ErrorInfo = progress.error ?? { message: progress.message || 'Failed to complete connection.' }
        body = (
          <div data-testid="connect-failed">
            <ErrorBanner error={{ message: err.message, hint: err.hint }} />
          </div>
        )
        footer = (
          <>
            {closeButton()}
            <button type="button" className="button button-primary" onClick={start}>
              Try again
            </button>
          </>
        )
      }
    }
  }

  return (
    <Dialog
      title={title}
      onClose={close}
      onSubmit={onSubmit}
      busy={busy}
      width="md"
      testId="connect-dialog"
      footer={footer}
      initialFocus={state.phase === 'attempt' && stage === 'choose_tenant' ? 'input[type=radio]:checked' : undefined}
    >
      {body}
    </Dialog>
  )
}
