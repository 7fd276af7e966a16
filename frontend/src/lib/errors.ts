// Which part of a backend error a form has not shown beside an input.
import { AppError } from '../bridge/errors'

/** The error to show in a form's banner: the whole error when it names no
 * field, the message and hint alone when some of its fields have no input
 * on screen, and nothing when every message already sits beside its input. */
export function unshownError(error: AppError | undefined, shownFields: string[]): AppError | undefined {
  if (!error) return undefined
  const fields = Object.keys(error.fields ?? {})
  if (fields.length === 0) return error
  const hidden = fields.filter((f) => !shownFields.includes(f))
  if (hidden.length === 0) return undefined
  return new AppError({
    code: error.code,
    message: hidden.map((f) => error.fields![f]).join(' '),
    hint: error.hint,
  })
}
