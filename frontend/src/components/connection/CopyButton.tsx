// Copies a text to the clipboard and says so for a moment.
import { useEffect, useRef, useState } from 'react'
import { Check, Copy } from 'lucide-react'

/** Writes text to the clipboard; falls back to a hidden textarea where the
 * Clipboard API is not offered (some embedded web views). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall back below
  }
  try {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.setAttribute('readonly', '')
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return ok
  } catch {
    return false
  }
}

export default function CopyButton({
  text,
  label = 'Copy',
  copiedLabel = 'Copied',
  className = 'button button-secondary button-sm',
  ariaLabel,
}: {
  text: string
  label?: string
  copiedLabel?: string
  className?: string
  ariaLabel?: string
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])

  async function copy() {
    const ok = await copyText(text)
    setState(ok ? 'copied' : 'failed')
    clearTimeout(timer.current)
    timer.current = setTimeout(() => setState('idle'), 2000)
  }

  return (
    <button type="button" className={className} onClick={copy} aria-label={ariaLabel}>
      {state === 'copied' ? <Check size={14} aria-hidden /> : <Copy size={14} aria-hidden />}
      {state === 'copied' ? copiedLabel : state === 'failed' ? 'Select and copy it by hand' : label}
    </button>
  )
}
