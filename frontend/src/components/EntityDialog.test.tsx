import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import EntityDialog from './EntityDialog'
import { AppError } from '../bridge/errors'
import { api } from '../bridge/api'

vi.mock('../bridge/api', () => ({
  api: { createEntity: vi.fn(), updateEntity: vi.fn() },
}))

const createEntity = vi.mocked(api.createEntity)
const updateEntity = vi.mocked(api.updateEntity)

const label = (name: string | RegExp) => screen.getByLabelText(name) as HTMLInputElement
const queryLabel = (name: string | RegExp) => screen.queryByLabelText(name)

function kind(k: string) {
  fireEvent.change(screen.getByTestId('entity-kind'), { target: { value: k } })
}

function type(name: string | RegExp, value: string) {
  fireEvent.change(label(name), { target: { value } })
}

beforeEach(() => {
  createEntity.mockReset()
  updateEntity.mockReset()
})
afterEach(cleanup)

describe('EntityDialog', () => {
  it('shows the fields that fit the kind', () => {
    render(<EntityDialog groupId={1} onClose={() => {}} onSaved={() => {}} />)
    expect(label(/Given name/)).toBeTruthy()
    expect(label(/Date of birth/)).toBeTruthy()
    expect(queryLabel(/Legal name/)).toBeNull()
    expect(queryLabel(/^ACN/)).toBeNull()

    kind('company')
    expect(label(/Legal name/)).toBeTruthy()
    expect(label(/^ACN/)).toBeTruthy()
    expect(queryLabel(/Given name/)).toBeNull()
    expect(queryLabel(/Date of birth/)).toBeNull()
    expect(queryLabel(/Trust type/)).toBeNull()

    kind('trust')
    expect(label(/Trust type/)).toBeTruthy()
    expect(queryLabel(/^ACN/)).toBeNull()
  })

  it('shows the backend field messages under the inputs and keeps what was typed', async () => {
    createEntity.mockRejectedValue(
      new AppError({
        code: 'validation',
        message: 'Please correct the highlighted fields.',
        fields: {
          abn: 'This ABN is not valid: the check digits do not match. Check it on abr.business.gov.au.',
          acn: 'An ACN has 9 digits, for example 004 085 616.',
        },
      }),
    )
    const onSaved = vi.fn()
    render(<EntityDialog groupId={7} onClose={() => {}} onSaved={onSaved} />)
    kind('company')
    type(/Legal name/, 'Acme Pty Ltd')
    type(/^ABN/, '12 345 678 901')
    type(/^ACN/, '1234')
    fireEvent.click(screen.getByRole('button', { name: 'Add entity' }))

    await screen.findByText(/This ABN is not valid/)
    expect(screen.getByText('An ACN has 9 digits, for example 004 085 616.')).toBeTruthy()
    expect(createEntity).toHaveBeenCalledWith(7, expect.objectContaining({ kind: 'company', legalName: 'Acme Pty Ltd', abn: '12 345 678 901', acn: '1234' }))
    expect(onSaved).not.toHaveBeenCalled()
    expect(label(/Legal name/).value).toBe('Acme Pty Ltd')
    expect(label(/^ABN/).value).toBe('12 345 678 901')
    expect(label(/^ABN/).getAttribute('aria-invalid')).toBe('true')
    // Each message is said once, beside its input: no duplicate banner.
    expect(screen.queryByTestId('error-banner')).toBeNull()
    await waitFor(() => expect(document.activeElement).toBe(label(/^ABN/)))
  })

  it('shows an error that is not about one field in a banner with what to do next', async () => {
    createEntity.mockRejectedValue(
      new AppError({ code: 'keychain', message: 'Structura could not reach the system keychain.', hint: 'Unlock your keychain and try again.' }),
    )
    render(<EntityDialog groupId={1} onClose={() => {}} onSaved={() => {}} />)
    type(/Given name/, 'Jane')
    fireEvent.submit(label(/Given name/).form!)
    const banner = await screen.findByTestId('error-banner')
    expect(banner.textContent).toContain('Structura could not reach the system keychain.')
    expect(banner.textContent).toContain('Unlock your keychain and try again.')
    expect(label(/Given name/).value).toBe('Jane')
  })

  it('sends only the fields of the chosen kind', async () => {
    createEntity.mockResolvedValue({ id: 5, displayName: 'Smith Family Trust' } as never)
    const onSaved = vi.fn()
    render(<EntityDialog groupId={2} onClose={() => {}} onSaved={onSaved} />)
    type(/Given name/, 'Jane')
    type(/Date of birth/, '1970-06-30')
    kind('company')
    type(/^ACN/, '004 085 616')
    kind('trust')
    type(/Legal name/, 'Smith Family Trust')
    fireEvent.change(label(/Trust type/), { target: { value: 'discretionary' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add entity' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    const sent = createEntity.mock.calls[0][1]
    expect(sent).toMatchObject({ kind: 'trust', legalName: 'Smith Family Trust', trustType: 'discretionary', givenName: '', dateOfBirth: '', acn: '' })
    expect('tfn' in sent).toBe(false)
  })

  it('never shows a stored TFN, only its last digits, and can change or remove it', async () => {
    const entity = {
      id: 9, kind: 'individual', trustType: '', givenName: 'Minh', familyName: 'Nguyen', legalName: '', tradingName: '',
      dateOfBirth: '', abn: '', acn: '', email: '', phone: '', address: '', notes: '', tfnLast3: '782', displayName: 'Minh Nguyen',
    } as never
    updateEntity.mockResolvedValue(entity)
    const onSaved = vi.fn()
    render(<EntityDialog groupId={1} entity={entity} onClose={() => {}} onSaved={onSaved} />)
    expect(screen.getByTestId('tfn-on-file').textContent).toContain('TFN on file ending in •••782')
    expect(queryLabel(/Tax file number/)).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'Remove' }))
    expect(screen.getByTestId('tfn-on-file').textContent).toContain('will be removed when you save')
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(updateEntity.mock.calls[0]).toEqual([9, expect.objectContaining({ tfn: '' })])
  })

  it('leaves the stored TFN alone unless asked, and sends a new one when changed', async () => {
    const entity = {
      id: 9, kind: 'individual', trustType: '', givenName: 'Minh', familyName: 'Nguyen', legalName: '', tradingName: '',
      dateOfBirth: '', abn: '', acn: '', email: '', phone: '', address: '', notes: '', tfnLast3: '782', displayName: 'Minh Nguyen',
    } as never
    updateEntity.mockResolvedValue(entity)
    const onSaved = vi.fn()
    const { unmount } = render(<EntityDialog groupId={1} entity={entity} onClose={() => {}} onSaved={onSaved} />)
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1))
    expect('tfn' in updateEntity.mock.calls[0][1]).toBe(false)
    unmount()

    render(<EntityDialog groupId={1} entity={entity} onClose={() => {}} onSaved={onSaved} />)
    fireEvent.click(screen.getByRole('button', { name: 'Change' }))
    type(/New tax file number/, '123 456 782')
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2))
    expect(updateEntity.mock.calls[1][1]).toMatchObject({ tfn: '123 456 782' })
  })

  it('closes on Esc without saving', () => {
    const onClose = vi.fn()
    render(<EntityDialog groupId={1} onClose={onClose} onSaved={() => {}} />)
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' })
    expect(onClose).toHaveBeenCalled()
    expect(createEntity).not.toHaveBeenCalled()
  })
})
