import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { StrictMode } from 'react'
import { ToastProvider, useToast } from './Toasts'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function Button() {
  const toast = useToast()
  return <button onClick={() => toast('Entity added')}>Add</button>
}

describe('Toasts', () => {
  it('shows a confirmation and removes it after a few seconds', () => {
    vi.useFakeTimers()
    render(
      <StrictMode>
        <ToastProvider timeoutMs={3000}>
          <Button />
        </ToastProvider>
      </StrictMode>,
    )
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(screen.getByTestId('toast').textContent).toContain('Entity added')
    act(() => {
      vi.advanceTimersByTime(3100)
    })
    expect(screen.queryByTestId('toast')).toBeNull()
  })

  it('can be dismissed at once', () => {
    render(
      <ToastProvider>
        <Button />
      </ToastProvider>,
    )
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByTestId('toast')).toBeNull()
  })
})
