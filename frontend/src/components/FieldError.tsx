// The backend's message for one input, shown right under it.
import { CircleAlert } from 'lucide-react'

export default function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null
  return (
    <p id={id} className="field-error" role="alert" data-testid="field-error">
      <CircleAlert size={14} aria-hidden className="field-error-icon" />
      <span>{message}</span>
    </p>
  )
}
