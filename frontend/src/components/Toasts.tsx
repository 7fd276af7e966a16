// Short confirmations after a change ("Entity added"). They announce
// themselves to screen readers and disappear on their own.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react'
import { CircleCheck, X } from 'lucide-react'

interface Toast {
  id: number
  text: string
}

type Notify = (text: string) => void

const ToastContext = createContext<Notify>(() => {})

export function useToast(): Notify {
  return useContext(ToastContext)
}

export function ToastProvider({ children, timeoutMs = 3500 }: { children: ReactNode; timeoutMs?: number }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const next = useRef(1)
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>())

  const dismiss = useCallback((id: number) => {
    setToasts((ts) => ts.filter((t) => t.id !== id))
    const timer = timers.current.get(id)
    if (timer) clearTimeout(timer)
    timers.current.delete(id)
  }, [])

  const notify = useCallback<Notify>(
    (text) => {
      const id = next.current++
      setToasts((ts) => [...ts.slice(-1), { id, text }])
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), timeoutMs),
      )
    },
    [dismiss, timeoutMs],
  )

  useEffect(() => {
    const all = timers.current
    return () => all.forEach((t) => clearTimeout(t))
  }, [])

  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className="toast" data-testid="toast">
            <CircleCheck size={16} aria-hidden className="toast-icon" />
            <span>{t.text}</span>
            <button type="button" className="icon-button icon-button-sm" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              <X size={14} aria-hidden />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  )
}
