import { describe, expect, it } from 'vitest'
import { dateForInput, formatABN, formatACN, formatDate, formatPercent, formatPeriod, formatUpdated, kindLabel, kindList, typeHelp } from './format'

describe('display formatting', () => {
  it('groups ABN and ACN digits the way the ATO and ASIC print them', () => {
    expect(formatABN('51824753556')).toBe('51 824 753 556')
    expect(formatACN('004085616')).toBe('004 085 616')
  })

  it('shows anything else exactly as stored (it validates nothing)', () => {
    expect(formatABN('1234')).toBe('1234')
    expect(formatACN('12345678901')).toBe('12345678901')
    expect(formatABN('')).toBe('')
    expect(formatACN(undefined)).toBe('')
  })

  it('formats dates day-first and never invents one', () => {
    expect(formatDate('1975-04-12')).toBe('12 Apr 1975')
    expect(formatDate('')).toBe('')
    expect(formatDate('12/04/1975')).toBe('12/04/1975')
    expect(formatPeriod('2020-07-01', '')).toBe('Since 1 Jul 2020')
    expect(formatPeriod('2020-07-01', '2024-06-30')).toBe('1 Jul 2020 – 30 Jun 2024')
    expect(formatPeriod('', '')).toBe('')
  })

  it('says when a group last changed', () => {
    const now = new Date(2025, 2, 10, 15, 0)
    expect(formatUpdated(new Date(2025, 2, 10, 9, 5).toISOString(), now)).toBe('Today, 09:05')
    expect(formatUpdated(new Date(2025, 2, 9, 18, 30).toISOString(), now)).toBe('Yesterday, 18:30')
    expect(formatUpdated(new Date(2024, 11, 3).toISOString(), now)).toBe('3 Dec 2024')
    expect(formatUpdated('0001-01-01T00:00:00Z', now)).toBe('')
    expect(formatUpdated(undefined, now)).toBe('')
  })

  it('prints percentages without needless decimals', () => {
    expect(formatPercent(40)).toBe('40%')
    expect(formatPercent(33.3333)).toBe('33.33%')
    expect(formatPercent(undefined)).toBe('')
  })

  it('labels kinds and relationship types for people', () => {
    expect(kindLabel('trust', 'discretionary')).toBe('Trust · Discretionary')
    expect(kindLabel('smsf', '')).toBe('SMSF')
    expect(kindList(['trust', 'smsf'])).toBe('trusts or SMSFs')
    expect(kindList(['individual', 'company', 'trust'])).toBe('individuals, companies or trusts')
    expect(
      typeHelp({ label: 'Trustee of', fromKinds: ['individual', 'company'], toKinds: ['trust', 'smsf'] } as never),
    ).toBe('Trustee of: from individuals or companies to trusts or SMSFs.')
  })
})

describe('dateForInput', () => {
  it('shows stored dates day first for editing', () => {
    expect(dateForInput('1975-04-12')).toBe('12/04/1975')
    expect(dateForInput('')).toBe('')
    expect(dateForInput(undefined)).toBe('')
    expect(dateForInput('12/04/1975')).toBe('12/04/1975')
  })
})
