import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import JobProgress from './JobProgress'
import { formatEta } from './syncFormat'
import { job } from './fixtures.test-util'

afterEach(cleanup)

describe('JobProgress', () => {
  it('shows n of m, the time left, the calls left today and a working Cancel', () => {
    const onCancel = vi.fn()
    render(<JobProgress job={job({ id: 1, kind: 'xpm.pull', title: 'Pull “Rossi Family” from XPM', done: 12, total: 41, etaSeconds: 600, callsLeftToday: 4950, message: 'Reading group 1 of 1 from XPM: Rossi Family' })} onCancel={onCancel} />)
    expect(screen.getByText('Pull “Rossi Family” from XPM')).toBeTruthy()
    expect(screen.getByTestId('job-message').textContent).toBe('Reading group 1 of 1 from XPM: Rossi Family')
    expect(screen.getByTestId('job-count').textContent).toBe('12 of 41')
    expect(screen.getByTestId('job-eta').textContent).toBe('about 10 minutes left')
    expect(screen.getByTestId('job-calls').textContent).toBe('4,950 XPM calls left today')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('29')
    fireEvent.click(screen.getByTestId('job-cancel'))
    expect(onCancel).toHaveBeenCalledTimes(1)
  })

  it('shows an indeterminate bar and no count when the total is unknown, and no ETA when unknown', () => {
    render(<JobProgress job={job({ id: 1, kind: 'xpm.discover-groups', stage: 'groups', done: 0, total: 0, etaSeconds: -1, message: 'Reading the list of client groups from XPM…' })} />)
    const bar = screen.getByRole('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBeNull()
    expect(bar.className).toContain('progress-indeterminate')
    expect(screen.queryByTestId('job-count')).toBeNull()
    expect(screen.queryByTestId('job-eta')).toBeNull()
    expect(screen.queryByTestId('job-cancel')).toBeNull()
  })

  it('says it is stopping once cancel was asked, and offers no second cancel', () => {
    render(<JobProgress job={job({ id: 1, kind: 'xpm.link-groups', done: 40, total: 300, canceling: true })} onCancel={() => {}} />)
    expect(screen.getByTestId('job-message').textContent).toBe('Stopping as soon as it is safe…')
    const b = screen.getByTestId('job-cancel') as HTMLButtonElement
    expect(b.disabled).toBe(true)
    expect(b.textContent).toContain('Stopping…')
  })

  it('words times left plainly', () => {
    expect(formatEta(-1)).toBe('')
    expect(formatEta(3)).toBe('a few seconds left')
    expect(formatEta(42)).toBe('about 42 seconds left')
    expect(formatEta(330)).toBe('about 6 minutes left')
    expect(formatEta(4 * 3600)).toBe('about 4 hours left')
  })
})
