// The frontend half of Structura's error convention (see backend/apperr).
// Bound Go methods reject with a string: "STRUCTURA_ERROR:" + JSON. This
// module turns that back into a structured error the screens can show —
// a message, what to do next, and per-field messages for inline display.

export const UI_PREFIX = 'STRUCTURA_ERROR:'

export type ErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'keychain'
  | 'storage'
  | 'canceled'
  | 'unavailable'
  | 'auth'
  | 'rate_limited'
  | 'internal'

export interface AppErrorData {
  code: ErrorCode
  message: string
  hint?: string
  fields?: Record<string, string>
}

export class AppError extends Error implements AppErrorData {
  readonly code: ErrorCode
  readonly hint?: string
  readonly fields?: Record<string, string>

  constructor(data: AppErrorData) {
    super(data.message)
    this.name = 'AppError'
    this.code = data.code
    this.hint = data.hint
    this.fields = data.fields
  }

  /** The message for one input field, if the backend refused it. */
  field(name: string): string | undefined {
    return this.fields?.[name]
  }
}

const GENERIC: AppErrorData = {
  code: 'internal',
  message: 'Something went wrong inside Structura.',
  hint: 'Your data is safe. Try again; if it keeps happening, send the log file (Settings → Open log folder) to support.',
}

/** Converts anything a bound call can reject with into an AppError. Raw
 * text that did not come through the convention is never shown. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e
  const text = typeof e === 'string' ? e : e instanceof Error ? e.message : ''
  if (text.startsWith(UI_PREFIX)) {
    try {
      const data = JSON.parse(text.slice(UI_PREFIX.length)) as Partial<AppErrorData>
      if (typeof data.code === 'string' && typeof data.message === 'string') {
        return new AppError({
          code: data.code as ErrorCode,
          message: data.message,
          hint: data.hint || undefined,
          fields: data.fields && typeof data.fields === 'object' ? data.fields : undefined,
        })
      }
    } catch {
      // fall through to the generic error
    }
  }
  if (typeof console !== 'undefined') console.error('unexpected error from backend', e)
  return new AppError(GENERIC)
}

/** Awaits a bound call, rethrowing failures as AppError. */
export async function invoke<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    throw toAppError(e)
  }
}
