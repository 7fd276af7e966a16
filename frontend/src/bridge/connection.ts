// Typed access to the XPM connection and two-factor protection (bound
// methods and events of docs/connection.md). Screens import this module,
// never wailsjs directly, so every failure arrives as an AppError and tests
// can mock one module. No business rule lives here: every check (two-factor
// required, locked, port in use, …) is the backend's.

import * as App from '../../wailsjs/go/main/App'
import * as Runtime from '../../wailsjs/runtime/runtime'
import type { connection, twofa } from '../../wailsjs/go/models'
import { AppError, invoke, type AppErrorData } from './errors'

export type ConnectionStatus = connection.Status
export type XPMSettings = connection.Settings
export type XPMSettingsInput = connection.SettingsInput
export type ConnectAttempt = connection.Attempt
export type TestResult = connection.TestResult
export type DisconnectResult = connection.DisconnectResult
export type ChecklistItem = connection.ChecklistItem
export type ParkedLinks = connection.ParkedLinks
export type TwoFactorStatus = twofa.Status
export type TwoFactorEnrolment = twofa.Enrolment
export type TwoFactorConfirmation = twofa.Confirmation

/** A practice the user may connect to (connect:progress at choose_tenant). */
export interface TenantChoice {
  tenantId: string
  tenantName: string
  /** Parked links of this practice that connecting brings back. */
  restoresLinks: number
  /** Which links stay parked if this practice is chosen. */
  warning?: string
}

export type ConnectStage =
  | 'waiting_for_browser'
  | 'callback_rejected'
  | 'listing_tenants'
  | 'choose_tenant'
  | 'connected'
  | 'failed'
  | 'cancelled'
  | 'timed_out'

/** The payload of connect:progress. */
export interface ConnectProgress {
  attemptId: string
  stage: ConnectStage
  message: string
  tenants?: TenantChoice[]
  error?: Pick<AppErrorData, 'code' | 'message' | 'hint'>
  status?: ConnectionStatus
  linksRestored?: number
}

/** Stages after which an attempt is over. */
export const FINAL_STAGES: ReadonlySet<ConnectStage> = new Set(['connected', 'failed', 'cancelled', 'timed_out'])

export const CONNECTION_CHANGED = 'connection:changed'
export const CONNECT_PROGRESS = 'connect:progress'
export const TWOFACTOR_CHANGED = 'twofactor:changed'

/** The backend's wording (docs/connection.md, "Messages"). */
export const MSG_ENABLE_2FA = 'Enable two-factor authentication to connect to Xero'
export const MSG_CODE_NEEDED = 'Enter your two-factor code to continue.'

/** Runs a bound call; a synchronous throw (no Wails runtime, e.g. a plain
 * browser tab) is converted like a rejection. */
function call<T>(f: () => Promise<T>): Promise<T> {
  let p: Promise<T>
  try {
    p = f()
  } catch (e) {
    p = Promise.reject(e)
  }
  return invoke(p)
}

function normStatus(s: ConnectionStatus): ConnectionStatus {
  return { ...s, parkedLinks: s.parkedLinks ?? [], scopes: s.scopes ?? [] }
}

function normSettings(s: XPMSettings): XPMSettings {
  return { ...s, scopes: s.scopes ?? [], checklist: s.checklist ?? [] }
}

function normTest(r: TestResult): TestResult {
  return { ...r, scopes: r.scopes ?? [], missingScopes: r.missingScopes ?? [] }
}

export const connectionApi = {
  status: (): Promise<ConnectionStatus> => call(() => App.ConnectionStatus()).then(normStatus),
  getSettings: (): Promise<XPMSettings> => call(() => App.GetXPMSettings()).then(normSettings),
  saveSettings: (input: XPMSettingsInput): Promise<XPMSettings> => call(() => App.SaveXPMSettings(input)).then(normSettings),
  startConnect: (): Promise<ConnectAttempt> => call(() => App.StartConnect()),
  reopenBrowser: (attemptId: string): Promise<void> => call(() => App.ReopenConnectBrowser(attemptId)),
  cancelConnect: (attemptId: string): Promise<void> => call(() => App.CancelConnect(attemptId)),
  chooseTenant: (attemptId: string, tenantId: string): Promise<ConnectionStatus> =>
    call(() => App.ChooseTenant(attemptId, tenantId)).then(normStatus),
  test: (): Promise<TestResult> => call(() => App.TestConnection()).then(normTest),
  disconnect: (): Promise<DisconnectResult> =>
    call(() => App.Disconnect()).then((r) => ({ ...r, status: normStatus(r.status) })),

  twoFactorStatus: (): Promise<TwoFactorStatus> => call(() => App.TwoFactorStatus()),
  beginEnrolment: (): Promise<TwoFactorEnrolment> => call(() => App.BeginTwoFactorEnrolment()),
  confirmEnrolment: (code: string): Promise<TwoFactorConfirmation> =>
    call(() => App.ConfirmTwoFactorEnrolment(code)).then((c) => ({ ...c, recoveryCodes: c.recoveryCodes ?? [] })),
  unlock: (code: string): Promise<TwoFactorStatus> => call(() => App.UnlockWithCode(code)),
  disableTwoFactor: (code: string): Promise<TwoFactorStatus> => call(() => App.DisableTwoFactor(code)),
  resetTwoFactor: (): Promise<TwoFactorStatus> => call(() => App.ResetTwoFactor()),
  setIdleHours: (hours: number): Promise<TwoFactorStatus> => call(() => App.SetTwoFactorIdleHours(hours)),
  lockNow: (): Promise<TwoFactorStatus> => call(() => App.LockNow()),
}

export type ConnectionApi = typeof connectionApi

function hasRuntime(): boolean {
  return typeof window !== 'undefined' && !!(window as unknown as { runtime?: unknown }).runtime
}

function on<T>(event: string, fn: (payload: T) => void): () => void {
  if (!hasRuntime()) return () => {}
  try {
    const off = Runtime.EventsOn(event, (payload?: unknown) => {
      if (payload && typeof payload === 'object') fn(payload as T)
    })
    return typeof off === 'function' ? off : () => {}
  } catch {
    return () => {}
  }
}

/** Calls fn with the new status whenever the connection changes (connect,
 * disconnect, reconnect needed, settings saved, an attempt starts or ends).
 * Returns the unsubscribe function; without a Wails runtime it does nothing. */
export function onConnectionChanged(fn: (s: ConnectionStatus) => void): () => void {
  return on<ConnectionStatus>(CONNECTION_CHANGED, (s) => fn(normStatus(s)))
}

/** Calls fn at each stage of a connect attempt. */
export function onConnectProgress(fn: (p: ConnectProgress) => void): () => void {
  return on<ConnectProgress>(CONNECT_PROGRESS, fn)
}

/** Calls fn whenever two-factor protection or the lock changes. */
export function onTwoFactorChanged(fn: (s: TwoFactorStatus) => void): () => void {
  return on<TwoFactorStatus>(TWOFACTOR_CHANGED, fn)
}

/** True when the backend refused because it needs a two-factor code first
 * (locked at open, or a write after the idle hours): show the code prompt,
 * then try again. */
export function isCodeNeeded(e: unknown): boolean {
  return e instanceof AppError && e.code === 'auth' && e.message.startsWith(MSG_CODE_NEEDED)
}

/** True when connecting was refused because two-factor protection is off:
 * offer "Set up two-factor authentication". */
export function isTwoFactorMissing(e: unknown): boolean {
  return e instanceof AppError && e.code === 'auth' && e.message.startsWith(MSG_ENABLE_2FA)
}
