import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import RelationshipDialog, { parseNumbers } from './RelationshipDialog'
import { AppError } from '../bridge/errors'
import { api, type Entity, type RelationshipType } from '../bridge/api'

vi.mock('../bridge/api', () => ({
  api: { createRelationship: vi.fn(), updateRelationship: vi.fn(), listEntities: vi.fn() },
}))

const createRelationship = vi.mocked(api.createRelationship)
const listEntities = vi.mocked(api.listEntities)

const ent = (id: number, kind: string, displayName: string) => ({ id, kind, trustType: '', displayName }) as Entity
const minh = ent(1, 'individual', 'Minh Nguyen')
const acme = ent(2, 'company', 'Nguyen Holdings Pty Ltd')
const other = ent(3, 'trust', 'Le Family Trust')

const t = (code: string, label: string, from: string[], to: string[], shares = false, pct = false) =>
  ({ code, label, inverseLabel: label, symmetric: false, allowsShares: shares, allowsPercentage: pct, fromKinds: from, toKinds: to, maxPerTarget: 0 }) as unknown as RelationshipType
const TYPES = [
  t('director', 'Director of', ['individual'], ['company']),
  t('shareholder', 'Shareholder of', ['individual', 'company', 'trust'], ['company'], true, true),
  t('trustee', 'Trustee of', ['individual', 'company'], ['trust', 'smsf']),
]

beforeEach(() => {
  createRelationship.mockReset()
  listEntities.mockReset()
  listEntities.mockResolvedValue([minh, acme, other])
})
afterEach(cleanup)

const select = (id: string, value: string) => fireEvent.change(screen.getByTestId(id), { target: { value } })

describe('RelationshipDialog', () => {
  it('offers the group first and other entities after, and reads the choice as a sentence', async () => {
    render(<RelationshipDialog members={[minh, acme]} external={[]} types={TYPES} onClose={() => {}} onSaved={() => {}} />)
    await screen.findAllByRole('option', { name: 'Le Family Trust (Trust)' })
    const groups = Array.from(screen.getByTestId('rel-from').querySelectorAll('optgroup')).map((g) => g.label)
    expect(groups).toEqual(['In this group', 'Other entities'])
    select('rel-from', '1')
    select('rel-type', 'director')
    select('rel-to', '2')
    expect(screen.getByTestId('rel-sentence').textContent).toBe('Minh Nguyen is Director of Nguyen Holdings Pty Ltd')
    expect(screen.getByText('Director of: from individuals to companies.')).toBeTruthy()
  })

  it('asks for shares and percentage only when the type has them', () => {
    render(<RelationshipDialog members={[minh, acme]} external={[]} types={TYPES} onClose={() => {}} onSaved={() => {}} />)
    select('rel-type', 'director')
    expect(screen.queryByLabelText(/Percentage/)).toBeNull()
    expect(screen.queryByLabelText(/Number of shares/)).toBeNull()
    select('rel-type', 'shareholder')
    expect(screen.getByLabelText(/Percentage/)).toBeTruthy()
    expect(screen.getByLabelText(/Number of shares/)).toBeTruthy()
  })

  it('does not block a combination the backend refuses: it shows the backend message', async () => {
    createRelationship.mockRejectedValue(
      new AppError({ code: 'validation', message: 'x', fields: { toId: '“Trustee of” can only point at a trust or an SMSF, and Nguyen Holdings Pty Ltd is a company.' } }),
    )
    const onSaved = vi.fn()
    render(<RelationshipDialog members={[minh, acme]} external={[]} types={TYPES} onClose={() => {}} onSaved={onSaved} />)
    select('rel-from', '1')
    select('rel-type', 'trustee')
    select('rel-to', '2')
    fireEvent.click(screen.getByRole('button', { name: 'Add relationship' }))
    await screen.findByText(/can only point at a trust or an SMSF/)
    expect(createRelationship).toHaveBeenCalledWith(expect.objectContaining({ fromId: 1, toId: 2, type: 'trustee' }))
    expect(onSaved).not.toHaveBeenCalled()
    expect((screen.getByTestId('rel-to') as HTMLSelectElement).value).toBe('2')
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('rel-to')))
  })

  it('sends numbers as numbers and leaves the range check to the backend', async () => {
    createRelationship.mockRejectedValue(
      new AppError({ code: 'validation', message: 'x', fields: { percentage: 'The percentage must be between 0 and 100 (you entered 140).' } }),
    )
    render(<RelationshipDialog members={[minh, acme]} external={[]} types={TYPES} onClose={() => {}} onSaved={() => {}} />)
    select('rel-from', '1')
    select('rel-type', 'shareholder')
    select('rel-to', '2')
    fireEvent.change(screen.getByLabelText(/Number of shares/), { target: { value: '1,000' } })
    fireEvent.change(screen.getByLabelText(/Percentage/), { target: { value: '140' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add relationship' }))
    await screen.findByText('The percentage must be between 0 and 100 (you entered 140).')
    expect(createRelationship.mock.calls[0][0]).toMatchObject({ numberOfShares: 1000, percentage: 140 })
    expect((screen.getByLabelText(/Percentage/) as HTMLInputElement).value).toBe('140')
  })

  it('parses typed numbers without judging them', () => {
    const sh = { allowsShares: true, allowsPercentage: true }
    expect(parseNumbers({ shares: '', percentage: '' }, sh)).toEqual({ shares: undefined, percentage: undefined, errors: {} })
    expect(parseNumbers({ shares: '-5', percentage: '140%' }, sh)).toMatchObject({ shares: -5, percentage: 140, errors: {} })
    expect(parseNumbers({ shares: '12.5', percentage: 'abc' }, sh).errors).toEqual({
      numberOfShares: 'Enter the number of shares as a whole number, for example 100.',
      percentage: 'Enter the percentage as a number, for example 50 or 33.33.',
    })
    expect(parseNumbers({ shares: '10', percentage: '5' }, { allowsShares: false, allowsPercentage: false })).toEqual({ shares: undefined, percentage: undefined, errors: {} })
  })

  it('keeps the dialog open on a typing mistake without calling the backend', async () => {
    render(<RelationshipDialog members={[minh, acme]} external={[]} types={TYPES} onClose={() => {}} onSaved={() => {}} />)
    select('rel-type', 'shareholder')
    fireEvent.change(screen.getByLabelText(/Percentage/), { target: { value: 'fifty' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add relationship' }))
    await waitFor(() => expect(screen.getByText('Enter the percentage as a number, for example 50 or 33.33.')).toBeTruthy())
    expect(createRelationship).not.toHaveBeenCalled()
  })
})
