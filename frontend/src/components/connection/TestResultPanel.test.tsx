import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import TestResultPanel from './TestResultPanel'
import type { TestResult } from '../../bridge/connection'
import { formatDuration } from './describe'

afterEach(cleanup)

const ok: TestResult = {
  ok: true,
  verdict: "Everything works: Structura can read and update Harbourside Accounting's clients in Xero Practice Manager.",
  tenantId: 't1',
  practiceName: 'Harbourside Accounting',
  durationMs: 184,
  callsLeftThisMinute: 59,
  callsLeftToday: 4999,
  scopes: ['openid', 'profile', 'email', 'offline_access', 'practicemanager.client', 'practicemanager.read'],
  missingScopes: [],
  checkedAt: '2025-03-10T04:05:06Z',
}

describe('TestResultPanel', () => {
  it('shows practice, time taken, calls left, permissions in plain words and the verdict', () => {
    render(<TestResultPanel result={ok} />)
    expect(screen.getByTestId('test-verdict').textContent).toMatch(/^Everything works/)
    expect(screen.getByTestId('test-practice').textContent).toBe('Harbourside Accounting')
    expect(screen.getByTestId('test-duration').textContent).toBe('184 ms')
    expect(screen.getByTestId('test-calls-minute').textContent).toBe('59')
    expect(screen.getByTestId('test-calls-day').textContent).toBe('4,999')
    const scopes = screen.getByTestId('test-scopes').textContent
    expect(scopes).toContain('Read and update clients, groups and relationships')
    expect(scopes).toContain('Stay connected until you disconnect')
    expect(scopes).not.toContain('practicemanager')
    expect(screen.queryByTestId('test-fix')).toBeNull()
  })

  it('shows the fix when the check failed, and says when Xero did not report the limits', () => {
    render(
      <TestResultPanel
        result={{
          ...ok,
          ok: false,
          verdict: 'Xero Practice Manager did not answer.',
          fix: 'Check your internet connection and try again.',
          durationMs: 2400,
          callsLeftThisMinute: undefined,
          callsLeftToday: undefined,
        }}
      />,
    )
    expect(screen.getByTestId('test-result').className).toContain('test-fail')
    expect(screen.getByTestId('test-fix').textContent).toBe('What to do: Check your internet connection and try again.')
    expect(screen.getByTestId('test-calls-minute').textContent).toBe('Not reported by Xero')
    expect(screen.getByTestId('test-calls-day').textContent).toBe('Not reported by Xero')
    expect(screen.getByTestId('test-duration').textContent).toBe('2.4 seconds')
  })

  it('lists missing permissions', () => {
    render(<TestResultPanel result={{ ...ok, missingScopes: ['practicemanager.client'], fix: 'Disconnect and connect again.' }} />)
    expect(screen.getByTestId('test-missing-scopes').textContent).toBe('Read and update clients, groups and relationships')
  })

  it('formats durations for people', () => {
    expect(formatDuration(0)).toBe('0 ms')
    expect(formatDuration(999)).toBe('999 ms')
    expect(formatDuration(1000)).toBe('1 second')
    expect(formatDuration(12500)).toBe('13 seconds')
  })
})
