import { describe, expect, it } from 'vitest'
import { AppError } from '../bridge/errors'
import { unshownError } from './errors'

describe('unshownError', () => {
  it('returns nothing when every field message sits beside its input', () => {
    const e = new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { abn: 'Bad ABN.', acn: 'Bad ACN.' } })
    expect(unshownError(e, ['abn', 'acn'])).toBeUndefined()
  })

  it('puts messages for inputs not on screen in the banner', () => {
    const e = new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { abn: 'Bad ABN.', kind: 'Cannot change kind.' } })
    expect(unshownError(e, ['abn'])?.message).toBe('Cannot change kind.')
  })

  it('shows an error without fields as it is', () => {
    const e = new AppError({ code: 'keychain', message: 'The keychain did not answer.', hint: 'Unlock it and try again.' })
    expect(unshownError(e, ['abn'])).toBe(e)
  })
})
