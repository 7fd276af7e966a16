// The connection to XPM and two-factor protection, for every screen: the
// status (status bar, reconnect banner, settings), the lock screen while a
// code is needed at open, and the dialogs any screen may open — Connect,
// two-factor set-up and the code prompt. The backend decides everything;
// this only follows its answers and its events.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react'
import Spinner from '../Spinner'
import ConnectDialog from './ConnectDialog'
import EnrolmentDialog from '../twofactor/EnrolmentDialog'
import CodePromptDialog from '../twofactor/CodePromptDialog'
import LockScreen from '../twofactor/LockScreen'
import {
  connectionApi,
  onConnectionChanged,
  onTwoFactorChanged,
  type ConnectionStatus,
  type TwoFactorStatus,
} from '../../bridge/connection'

export interface ConnectionContextValue {
  /** Undefined until the first answer. */
  status?: ConnectionStatus
  twoFactor?: TwoFactorStatus
  /** Reads both statuses again. */
  refresh: () => Promise<void>
  /** Opens the Connect dialog (also "Reconnect"). */
  connect: () => void
  /** Opens the two-factor set-up; thenConnect offers "Connect now" at the end. */
  setUpTwoFactor: (opts?: { thenConnect?: boolean }) => void
  /** Asks for a two-factor code (after "Enter your two-factor code to
   * continue."); resolves true once the backend accepted one. */
  askForCode: () => Promise<boolean>
  /** Records a status the caller just got from the backend. */
  setStatus: (s: ConnectionStatus) => void
  setTwoFactor: (s: TwoFactorStatus) => void
}

const noop = () => {}
const ConnectionContext = createContext<ConnectionContextValue>({
  refresh: async () => {},
  connect: noop,
  setUpTwoFactor: noop,
  askForCode: async () => false,
  setStatus: noop,
  setTwoFactor: noop,
})

export function useConnection(): ConnectionContextValue {
  return useContext(ConnectionContext)
}

type Open = { kind: 'connect' } | { kind: 'enrol'; thenConnect: boolean } | { kind: 'code' } | undefined

export default function ConnectionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<ConnectionStatus>()
  const [twoFactor, setTwoFactor] = useState<TwoFactorStatus>()
  const [ready, setReady] = useState(false)
  const [open, setOpen] = useState<Open>()
  const codeWaiters = useRef<((ok: boolean) => void)[]>([])

  const refresh = useCallback(async () => {
    const [s, t] = await Promise.allSettled([connectionApi.status(), connectionApi.twoFactorStatus()])
    if (s.status === 'fulfilled') setStatus(s.value)
    if (t.status === 'fulfilled') setTwoFactor(t.value)
  }, [])

  useEffect(() => {
    const offs = [onConnectionChanged(setStatus), onTwoFactorChanged(setTwoFactor)]
    // Events may arrive before the first answer: they are newer, so the
    // first answer only fills what is still unknown.
    let live = true
    Promise.allSettled([connectionApi.status(), connectionApi.twoFactorStatus()]).then(([s, t]) => {
      if (!live) return
      if (s.status === 'fulfilled') setStatus((cur) => cur ?? s.value)
      if (t.status === 'fulfilled') setTwoFactor((cur) => cur ?? t.value)
      setReady(true)
    })
    return () => {
      live = false
      offs.forEach((off) => off())
    }
  }, [])

  const settleCode = useCallback((ok: boolean) => {
    const ws = codeWaiters.current
    codeWaiters.current = []
    ws.forEach((w) => w(ok))
  }, [])

  const value: ConnectionContextValue = {
    status,
    twoFactor,
    refresh,
    connect: useCallback(() => setOpen({ kind: 'connect' }), []),
    setUpTwoFactor: useCallback((opts?: { thenConnect?: boolean }) => setOpen({ kind: 'enrol', thenConnect: !!opts?.thenConnect }), []),
    askForCode: useCallback(
      () =>
        new Promise<boolean>((resolve) => {
          codeWaiters.current.push(resolve)
          setOpen({ kind: 'code' })
        }),
      [],
    ),
    setStatus,
    setTwoFactor,
  }

  if (!ready) {
    return (
      <div className="boot">
        <Spinner label="Opening Structura…" />
      </div>
    )
  }

  return (
    <ConnectionContext.Provider value={value}>
      {twoFactor?.locked ? <LockScreen status={status} onUnlocked={setTwoFactor} onStatus={setStatus} /> : children}
      {open?.kind === 'connect' && !twoFactor?.locked && (
        <ConnectDialog
          onClose={() => setOpen(undefined)}
          onSetUpTwoFactor={() => setOpen({ kind: 'enrol', thenConnect: true })}
          onStatus={setStatus}
        />
      )}
      {open?.kind === 'enrol' && (
        <EnrolmentDialog
          thenConnect={open.thenConnect}
          onClose={() => setOpen(undefined)}
          onConnect={() => setOpen({ kind: 'connect' })}
          onStatus={setTwoFactor}
        />
      )}
      {open?.kind === 'code' && (
        <CodePromptDialog
          onUnlocked={(t) => {
            setTwoFactor(t)
            setOpen(undefined)
            settleCode(true)
          }}
          onCancel={() => {
            setOpen(undefined)
            settleCode(false)
          }}
        />
      )}
    </ConnectionContext.Provider>
  )
}
