// Settings → XPM connection, where to connect: the built-in sandbox (the
// default, no set-up) or Xero with the user's own Xero app (client id, a
// client secret only for web-type apps, the exact redirect URI to register
// and the set-up checklist). Advanced: the callback port and the XPM address.
import { useEffect, useRef, useState } from 'react'
import { CircleCheck, KeyRound, Lock } from 'lucide-react'
import ErrorBanner from '../ErrorBanner'
import Field from '../Field'
import Spinner from '../Spinner'
import { useToast } from '../Toasts'
import CopyButton from './CopyButton'
import { useConnection } from './ConnectionProvider'
import { connectionApi, type XPMSettings } from '../../bridge/connection'
import { AppError, toAppError } from '../../bridge/errors'
import { unshownError } from '../../lib/errors'

interface Form {
  environment: string
  clientId: string
  clientSecret: string
  clearClientSecret: boolean
  callbackPort: string
  apiBaseUrl: string
}

function formOf(s: XPMSettings): Form {
  return {
    environment: s.environment,
    clientId: s.clientId,
    clientSecret: '',
    clearClientSecret: false,
    callbackPort: String(s.callbackPort || ''),
    apiBaseUrl: s.apiBaseUrl,
  }
}

function same(a: Form, b: Form): boolean {
  return (
    a.environment === b.environment &&
    a.clientId.trim() === b.clientId.trim() &&
    a.clientSecret === '' &&
    b.clientSecret === '' &&
    a.clearClientSecret === b.clearClientSecret &&
    a.callbackPort.trim() === b.callbackPort.trim() &&
    a.apiBaseUrl.trim() === b.apiBaseUrl.trim()
  )
}

const FIELDS = ['environment', 'clientId', 'clientSecret', 'callbackPort', 'apiBaseUrl']

export default function XPMSettingsForm({ onDirtyChange }: { onDirtyChange?: (dirty: boolean) => void }) {
  const [settings, setSettings] = useState<XPMSettings>()
  const [form, setForm] = useState<Form>()
  const [loadError, setLoadError] = useState<AppError>()
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const [replacingSecret, setReplacingSecret] = useState(false)
  const toast = useToast()

  async function load() {
    setLoadError(undefined)
    try {
      const s = await connectionApi.getSettings()
      setSettings(s)
      setForm(formOf(s))
      setReplacingSecret(false)
    } catch (e) {
      setLoadError(toAppError(e))
    }
  }

  useEffect(() => {
    void load()
  }, [])

  const dirty = !!settings && !!form && !same(form, formOf(settings))
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange])

  // Connecting or disconnecting locks or unlocks the environment: read the
  // settings again when that changes (keeping what the user is typing).
  const connState = useConnection().status?.state
  const settingsRef = useRef(settings)
  settingsRef.current = settings
  const loaded = !!settings
  useEffect(() => {
    if (!loaded) return
    let live = true
    connectionApi.getSettings().then(
      (s) => {
        if (!live) return
        const prev = settingsRef.current
        setSettings(s)
        setForm((f) => (f && prev && same(f, formOf(prev)) ? formOf(s) : f))
      },
      () => {},
    )
    return () => {
      live = false
    }
    // only when the connection state changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connState])

  if (loadError) return <ErrorBanner error={loadError} onRetry={load} />
  if (!settings || !form) return <Spinner label="Loading the connection settings…" />

  const xero = form.environment === 'xero'
  const locked = settings.locked
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch })
  const fieldError = (f: string) => error?.field(f)

  async function save() {
    if (!form) return
    setBusy(true)
    setError(undefined)
    try {
      const port = form.callbackPort.trim() === '' ? 0 : Number(form.callbackPort.trim())
      const s = await connectionApi.saveSettings({
        environment: form.environment,
        clientId: form.clientId,
        clientSecret: form.clientSecret,
        clearClientSecret: form.clearClientSecret,
        callbackPort: Number.isFinite(port) ? port : -1,
        apiBaseUrl: form.apiBaseUrl,
      })
      setSettings(s)
      setForm(formOf(s))
      setReplacingSecret(false)
      toast('Connection settings saved')
    } catch (e) {
      setError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="card xpm-settings"
      data-testid="xpm-settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        if (!busy && dirty) void save()
      }}
    >
      <fieldset className="env-options" disabled={locked}>
        <legend className="field-label">Connect to</legend>
        <label className={`choice${form.environment === 'sandbox' ? ' choice-selected' : ''}`}>
          <input
            type="radio"
            name="environment"
            value="sandbox"
            checked={form.environment === 'sandbox'}
            onChange={() => set({ environment: 'sandbox' })}
            data-testid="env-sandbox"
          />
          <span className="choice-text">
            <span className="choice-title">
              Sandbox (demo practice) <span className="badge">Default</span>
            </span>
            <span className="choice-detail">
              A demo practice built into Structura, to explore importing and syncing safely. Works with no set-up;
              nothing leaves this computer.
            </span>
          </span>
        </label>
        <label className={`choice${xero ? ' choice-selected' : ''}`}>
          <input type="radio" name="environment" value="xero" checked={xero} onChange={() => set({ environment: 'xero' })} data-testid="env-xero" />
          <span className="choice-text">
            <span className="choice-title">Xero</span>
            <span className="choice-detail">
              Your practice in Xero Practice Manager, through your own Xero app. Needs XPM API access approved by Xero.
            </span>
          </span>
        </label>
      </fieldset>
      {fieldError('environment') && <p className="field-error">{fieldError('environment')}</p>}
      {locked && (
        <p className="conn-note">
          <Lock size={14} aria-hidden /> Structura is connected, so where it connects cannot change now. Disconnect first
          (your local data and links are kept).
        </p>
      )}

      {xero && (
        <div className="xero-setup">
          <Field
            label="Client id"
            help="From developer.xero.com → My Apps → your app → Configuration."
            error={fieldError('clientId')}
          >
            <input
              className="input mono"
              value={form.clientId}
              onChange={(e) => set({ clientId: e.target.value })}
              disabled={locked}
              spellCheck={false}
              autoComplete="off"
              data-testid="client-id"
            />
          </Field>

          {settings.hasClientSecret && !form.clearClientSecret && !replacingSecret ? (
            <div className="field">
              <span className="field-label">
                Client secret <span className="field-note">only for web-type Xero apps</span>
              </span>
              <div className="secret-on-file" data-testid="secret-on-file">
                <span>
                  <KeyRound size={14} aria-hidden /> A client secret is saved in the system keychain.
                </span>
                <span className="tfn-actions">
                  <button type="button" className="button button-ghost button-sm" onClick={() => setReplacingSecret(true)}>
                    Replace
                  </button>
                  <button type="button" className="button button-ghost button-sm button-danger-text" onClick={() => set({ clearClientSecret: true })}>
                    Remove
                  </button>
                </span>
              </div>
            </div>
          ) : (
            <Field
              label="Client secret"
              note="only for web-type Xero apps"
              help={
                form.clearClientSecret
                  ? 'The saved secret will be removed when you save. Desktop (PKCE) apps have no secret.'
                  : 'Leave empty for a desktop (PKCE) app. A secret is kept in the system keychain and never shown again.'
              }
              error={fieldError('clientSecret')}
            >
              <input
                className="input mono"
                type="password"
                value={form.clientSecret}
                onChange={(e) => set({ clientSecret: e.target.value, clearClientSecret: false })}
                autoComplete="off"
                placeholder={form.clearClientSecret ? '' : 'Only for web-type apps'}
                data-testid="client-secret"
              />
            </Field>
          )}

          <div className="field">
            <span className="field-label">Redirect URI</span>
            <div className="copy-row">
              <code className="mono selectable copy-value" data-testid="redirect-uri">
                {settings.redirectUri}
              </code>
              <CopyButton text={settings.redirectUri} ariaLabel="Copy the redirect URI" />
            </div>
            <p className="field-help">
              Register it on your Xero app exactly as written: Xero compares it character by character.
              {form.callbackPort.trim() !== String(settings.callbackPort) && ' Save first: it changes with the callback port.'}
            </p>
          </div>

          <div className="checklist-box">
            <p className="field-label">Before you connect</p>
            <ul className="checklist" data-testid="xero-checklist">
              {settings.checklist.map((c) => (
                <li key={c.title}>
                  <CircleCheck size={16} aria-hidden />
                  <span>
                    <span className="checklist-title">{c.title}</span>
                    <span className="checklist-detail">{c.detail}</span>
                  </span>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}

      <details className="advanced" open={!!fieldError('callbackPort') || !!fieldError('apiBaseUrl') || undefined}>
        <summary>Advanced</summary>
        <div className="advanced-body">
          <Field
            label="Callback port"
            help="The port on this computer where your browser hands Xero's answer to Structura (default 8749). Change it only if another program uses that port; with Xero, register the new redirect URI too."
            error={fieldError('callbackPort')}
          >
            <input
              className="input input-port"
              inputMode="numeric"
              value={form.callbackPort}
              onChange={(e) => set({ callbackPort: e.target.value })}
              data-testid="callback-port"
            />
          </Field>
          {xero && (
            <Field
              label="XPM address"
              help="The address of the Xero Practice Manager API. Change it only if Xero support tells you to."
              error={fieldError('apiBaseUrl')}
            >
              <input
                className="input mono"
                value={form.apiBaseUrl}
                onChange={(e) => set({ apiBaseUrl: e.target.value })}
                spellCheck={false}
                data-testid="api-base-url"
              />
            </Field>
          )}
        </div>
      </details>

      <ErrorBanner error={unshownError(error, xero ? FIELDS : ['environment', 'callbackPort'])} />
      <div className="form-actions">
        {dirty && (
          <button type="button" className="button button-ghost" onClick={() => setForm(formOf(settings))} disabled={busy}>
            Undo changes
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={busy || !dirty} data-testid="save-settings">
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  )
}
