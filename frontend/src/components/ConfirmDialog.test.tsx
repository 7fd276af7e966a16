import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { useState } from 'react'
import ConfirmDialog from './ConfirmDialog'
import { AppError } from '../bridge/errors'

afterEach(cleanup)

function Harness({ onConfirm }: { onConfirm: () => Promise<void> }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button onClick={() => setOpen(true)}>Delete Acme</button>
      {open && (
        <ConfirmDialog
          title="Delete Acme?"
          confirmLabel="Delete entity"
          onCancel={() => setOpen(false)}
          onConfirm={async () => {
            await onConfirm()
            setOpen(false)
          }}
        >
          <p>This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  )
}

describe('ConfirmDialog', () => {
  it('starts on Cancel, closes on Esc and gives the focus back', () => {
    const onConfirm = vi.fn()
    render(<Harness onConfirm={onConfirm} />)
    const opener = screen.getByRole('button', { name: 'Delete Acme' })
    opener.focus()
    fireEvent.click(opener)
    expect(screen.getByRole('dialog', { name: 'Delete Acme?' })).toBeTruthy()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }))
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(onConfirm).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(opener)
  })

  it('confirms with its clearly labelled button', async () => {
    const onConfirm = vi.fn().mockResolvedValue(undefined)
    render(<Harness onConfirm={onConfirm} />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete Acme' }))
    fireEvent.click(screen.getByRole('button', { name: 'Delete entity' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(onConfirm).toHaveBeenCalledTimes(1)
  })

  it('keeps Tab inside the dialog', () => {
    render(<Harness onConfirm={vi.fn()} />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete Acme' }))
    const confirm = screen.getByRole('button', { name: 'Delete entity' })
    confirm.focus()
    fireEvent.keyDown(confirm, { key: 'Tab' })
    // wraps to the first control of the dialog (its Close button), never to the page behind
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true)
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }))
  })

  it('stays open and says why when the action fails', async () => {
    const onConfirm = vi.fn().mockRejectedValue(new AppError({ code: 'not_found', message: 'This entity no longer exists.', hint: 'Refresh the list and try again.' }))
    render(<Harness onConfirm={onConfirm} />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete Acme' }))
    fireEvent.click(screen.getByRole('button', { name: 'Delete entity' }))
    const banner = await screen.findByTestId('error-banner')
    expect(banner.textContent).toContain('This entity no longer exists.')
    expect(banner.textContent).toContain('Refresh the list and try again.')
    expect(screen.getByRole('dialog')).toBeTruthy()
  })
})
