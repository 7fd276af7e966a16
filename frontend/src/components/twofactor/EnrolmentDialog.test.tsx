import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import EnrolmentDialog, { groupSecret } from './EnrolmentDialog'
import { AppError } from '../../bridge/errors'

vi.mock('../../bridge/connection', async (orig) => {
  const real = await orig<typeof import('../../bridge/connection')>()
  return { ...real, connectionApi: { beginEnrolment: vi.fn(), confirmEnrolment: vi.fn() } }
})

import { connectionApi } from '../../bridge/connection'
const api = vi.mocked(connectionApi)

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const CODES = ['abcde-fghij', 'klmno-pqrst', 'uvwxy-z2345', '6789a-bcdef', 'ghijk-lmnop', 'qrstu-vwxyz', '23456-789ab', 'cdefg-hijkl', 'mnopq-rstuv', 'wxyz2-34567']
const status = { enabled: true, locked: false, required: false, idleExpired: false, codeNeededToConnect: false, recoveryCodesLeft: 10, idleLockHours: 8, enrolmentPending: false, enabledAt: '2025-03-10T04:00:00Z' }

beforeEach(() => {
  vi.clearAllMocks()
  api.beginEnrolment.mockResolvedValue({
    secret: SECRET,
    qrCodeDataUrl: 'data:image/png;base64,iVBORw0KGgo=',
    issuer: 'Structura',
    accountName: 'Structura',
    digits: 6,
    periodSeconds: 30,
    expiresAt: '2025-03-10T04:15:00Z',
  })
})
afterEach(cleanup)

function renderDialog(thenConnect = false) {
  const props = { onClose: vi.fn(), onConnect: vi.fn(), onStatus: vi.fn() }
  render(<EnrolmentDialog thenConnect={thenConnect} {...props} />)
  return props
}

describe('EnrolmentDialog', () => {
  it('shows the QR code and the key as text, grouped for typing', async () => {
    renderDialog()
    await screen.findByTestId('enrol-scan')
    expect(screen.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    expect(screen.getByTestId('totp-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ')
  })

  it('refuses a wrong code beside the input, then shows the recovery codes once, and needs them saved', async () => {
    api.confirmEnrolment
      .mockRejectedValueOnce(new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: { code: 'That code is not right.' } }))
      .mockResolvedValueOnce({ recoveryCodes: CODES, status })
    const props = renderDialog()
    await screen.findByTestId('enrol-scan')
    const turnOn = screen.getByRole('button', { name: /Turn on two-factor authentication/ })
    expect((turnOn as HTMLButtonElement).disabled).toBe(true)
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '000000' } })
    fireEvent.click(turnOn)
    expect(await screen.findByText('That code is not right.')).toBeTruthy()
    expect(screen.getByTestId('enrol-scan')).toBeTruthy()

    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '123 456' } })
    fireEvent.click(screen.getByRole('button', { name: /Turn on two-factor authentication/ }))
    await screen.findByTestId('enrol-codes')
    expect(api.confirmEnrolment).toHaveBeenLastCalledWith('123 456')
    expect(props.onStatus).toHaveBeenCalledWith(status)
    const items = screen.getByTestId('recovery-codes').querySelectorAll('li')
    expect(Array.from(items).map((li) => li.textContent)).toEqual(CODES)
    // the key is gone from the screen once saved
    expect(screen.queryByTestId('totp-secret')).toBeNull()
    expect(document.body.textContent).not.toContain('JBSW')

    const done = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement
    expect(done.disabled).toBe(true)
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' })
    expect(props.onClose).not.toHaveBeenCalled()
    fireEvent.click(screen.getByTestId('codes-saved'))
    expect(done.disabled).toBe(false)
    fireEvent.click(done)
    expect(props.onClose).toHaveBeenCalled()
  })

  it('offers to connect at the end when opened from Connect', async () => {
    api.confirmEnrolment.mockResolvedValue({ recoveryCodes: CODES, status })
    const props = renderDialog(true)
    await screen.findByTestId('enrol-scan')
    fireEvent.change(screen.getByTestId('code-input'), { target: { value: '123456' } })
    fireEvent.click(screen.getByRole('button', { name: /Turn on two-factor authentication/ }))
    await screen.findByTestId('enrol-codes')
    fireEvent.click(screen.getByTestId('codes-saved'))
    fireEvent.click(screen.getByRole('button', { name: 'Connect to Xero now' }))
    expect(props.onConnect).toHaveBeenCalled()
  })

  it('says why it cannot start, with a way to try again', async () => {
    api.beginEnrolment.mockRejectedValueOnce(
      new AppError({ code: 'keychain', message: 'The system keychain did not answer.', hint: 'Unlock your keychain and try again.' }),
    )
    renderDialog()
    expect((await screen.findByTestId('error-banner')).textContent).toContain('Unlock your keychain')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    await screen.findByTestId('enrol-scan')
    await waitFor(() => expect(api.beginEnrolment).toHaveBeenCalledTimes(2))
  })
})
