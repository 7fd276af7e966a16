import { describe, expect, it } from 'vitest'
import { AppError, UI_PREFIX, invoke, toAppError } from './errors'

describe('toAppError', () => {
  it('decodes the backend convention with fields', () => {
    const raw = UI_PREFIX + JSON.stringify({
      code: 'validation',
      message: 'This ABN is not valid.',
      fields: { abn: 'This ABN is not valid.' },
    })
    const e = toAppError(raw)
    expect(e).toBeInstanceOf(AppError)
    expect(e.code).toBe('validation')
    expect(e.field('abn')).toBe('This ABN is not valid.')
    expect(e.field('acn')).toBeUndefined()
  })

  it('never shows raw text that did not come through the convention', () => {
    const e = toAppError(new Error('runtime error: invalid memory address'))
    expect(e.code).toBe('internal')
    expect(e.message).not.toContain('memory')
    expect(e.hint).toContain('log file')
  })

  it('treats a broken payload as internal', () => {
    expect(toAppError(UI_PREFIX + '{not json').code).toBe('internal')
    expect(toAppError(UI_PREFIX + '{"code":1}').code).toBe('internal')
  })
})

describe('invoke', () => {
  it('passes values through and converts rejections', async () => {
    await expect(invoke(Promise.resolve(42))).resolves.toBe(42)
    const raw = UI_PREFIX + JSON.stringify({ code: 'not_found', message: 'This group no longer exists.' })
    await expect(invoke(Promise.reject(raw))).rejects.toMatchObject({ code: 'not_found', message: 'This group no longer exists.' })
  })
})
