// A labelled form field with optional help text and the backend's inline
// error. The child control gets id, aria-invalid and aria-describedby.
import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react'
import FieldError from './FieldError'

interface ControlProps {
  id?: string
  'aria-invalid'?: boolean
  'aria-describedby'?: string
}

export interface FieldProps {
  label: string
  /** Shown after the label, e.g. "optional". */
  note?: string
  help?: ReactNode
  error?: string
  children: ReactElement<ControlProps>
  className?: string
}

export default function Field({ label, note, help, error, children, className }: FieldProps) {
  const id = useId()
  const helpId = `${id}-help`
  const errId = `${id}-error`
  const describedBy = [help ? helpId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })
    : children
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ' ' + className : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {note && <span className="field-note"> {note}</span>}
      </label>
      {control}
      {help && !error && (
        <p id={helpId} className="field-help">
          {help}
        </p>
      )}
      <FieldError id={errId} message={error} />
    </div>
  )
}

export function FieldRow({ children }: { children: ReactNode }) {
  return <div className="field-row">{children}</div>
}
