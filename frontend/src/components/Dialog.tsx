// A modal dialog: focus moves in on open (first field, or initialFocus) and
// back to what had it on close; Tab stays inside; Esc closes; a form inside
// submits with Enter as usual.
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { createPortal } from 'react-dom'
import { X } from 'lucide-react'

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export interface DialogProps {
  title: string
  description?: ReactNode
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  /** Wraps body and footer in a form; Enter in a field submits. */
  onSubmit?: () => void
  width?: 'sm' | 'md' | 'lg'
  /** CSS selector of the element to focus first (default: first field). */
  initialFocus?: string
  /** While busy, Esc and the close button do nothing. */
  busy?: boolean
  testId?: string
}

export default function Dialog({
  title,
  description,
  onClose,
  children,
  footer,
  onSubmit,
  width = 'md',
  initialFocus,
  busy,
  testId,
}: DialogProps) {
  const panel = useRef<HTMLDivElement>(null)
  const titleId = useId()
  const descId = useId()
  const closeRef = useRef(onClose)
  closeRef.current = onClose
  const busyRef = useRef(busy)
  busyRef.current = busy

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null
    const el = panel.current
    if (el) {
      const bodyEl = el.querySelector('.dialog-body')
      const target =
        (initialFocus ? el.querySelector<HTMLElement>(initialFocus) : null) ||
        bodyEl?.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled]), textarea:not([disabled])') ||
        el.querySelector<HTMLElement>('.dialog-footer button:not([disabled])') ||
        el.querySelector<HTMLElement>(FOCUSABLE)
      ;(target ?? el).focus()
    }
    return () => {
      if (opener && document.contains(opener)) opener.focus()
    }
    // focus only when the dialog opens
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  function onKeyDown(e: React.KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation()
      if (!busyRef.current) closeRef.current()
      return
    }
    if (e.key !== 'Tab' || !panel.current) return
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE))
    if (items.length === 0) return
    const first = items[0]
    const last = items[items.length - 1]
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault()
      first.focus()
    }
  }

  const body = (
    <>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </>
  )

  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        ref={panel}
        className={`dialog dialog-${width}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-testid={testId}
      >
        <div className="dialog-header">
          <div>
            <h2 id={titleId} className="dialog-title">
              {title}
            </h2>
            {description && (
              <div id={descId} className="dialog-description">
                {description}
              </div>
            )}
          </div>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={busy}>
            <X size={18} aria-hidden />
          </button>
        </div>
        {onSubmit ? (
          <form
            className="dialog-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault()
              if (!busy) onSubmit()
            }}
          >
            {body}
          </form>
        ) : (
          body
        )}
      </div>
    </div>,
    document.body,
  )
}
