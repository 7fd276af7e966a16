import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import PullReviewPanel, { applyLabel, summaryTiles } from './PullReviewPanel'
import { syncApi, type PullReview } from '../../bridge/sync'
import { GIULIA, MARCO, pullInfo, summary } from './fixtures.test-util'

vi.mock('../../bridge/sync', () => ({
  syncApi: { pullReview: vi.fn(), decidePull: vi.fn(), acceptSuggestions: vi.fn(), applyPull: vi.fn(), discardPull: vi.fn() },
}))
const m = vi.mocked(syncApi)

function review(over: Partial<PullReview> = {}): PullReview {
  const p = pullInfo()
  return {
    pull: p,
    summary: p.summary!,
    groups: [{ uuid: 'u-rossi', name: 'Rossi Family', localGroupId: 11, localName: 'Rossi Family', members: 5, changes: 20, needInput: 1 }],
    rules: [],
    items: [MARCO, GIULIA],
    total: 2,
    offset: 0,
    ...over,
  }
}

beforeEach(() => {
  for (const f of Object.values(m)) f.mockReset()
})
afterEach(cleanup)

const card = (key: string) => screen.getAllByTestId('review-item').find((e) => e.getAttribute('data-key') === key)!

describe('PullReviewPanel', () => {
  it('heads the review with the counts and holds Apply while a decision is missing; nothing is written before Apply', async () => {
    m.pullReview.mockResolvedValue(review())
    const onChanged = vi.fn()
    render(<PullReviewPanel pull={pullInfo()} onChanged={onChanged} />)
    await screen.findAllByTestId('review-item')
    // to create = entities.create; to update = entities + relationships update; to link = entities + relationships link
    expect(screen.getByTestId('tile-create').textContent).toContain('4')
    expect(screen.getByTestId('tile-update').textContent).toContain('2')
    expect(screen.getByTestId('tile-link').textContent).toContain('3')
    expect(screen.getByTestId('tile-input').textContent).toContain('1')
    expect(screen.getByTestId('review-message').textContent).toContain('1 item needs your decision before anything is written.')
    expect(screen.getByText(/Nothing has been written to Structura yet/)).toBeTruthy()
    // opened on the items that need input
    expect(m.pullReview).toHaveBeenCalledWith(3, { filter: 'needInput', groupUuid: '', search: '', offset: 0, limit: 100 })
    const apply = screen.getByTestId('apply-pull') as HTMLButtonElement
    expect(apply.textContent).toBe('Apply 20 changes')
    expect(apply.disabled).toBe(true)
    expect(m.applyPull).not.toHaveBeenCalled()
    expect(m.decidePull).not.toHaveBeenCalled()
  })

  it('preselects the suggested choice; "Use this choice" records it, and the review is re-run without leaving the screen', async () => {
    m.pullReview.mockResolvedValue(review())
    render(<PullReviewPanel pull={pullInfo()} onChanged={() => {}} />)
    await screen.findAllByTestId('review-item')
    const marco = within(card('entity:c-marco'))
    expect(marco.getByText('Needs your decision')).toBeTruthy()
    expect(marco.getByText(/Probably already here: Marco Rossi/)).toBeTruthy()
    const radios = marco.getAllByRole('radio') as HTMLInputElement[]
    expect(radios.map((r) => r.checked)).toEqual([false, true, false])
    expect(radios[1].closest('label')!.textContent).toContain('Suggested')

    const after = review({ summary: summary({ needInput: 0, message: 'Ready to apply: 20 changes.' }), items: [{ ...MARCO, needsInput: false, action: 'link', decision: { key: 'entity:c-marco', action: 'link', entityId: 42 } }, GIULIA] })
    m.decidePull.mockResolvedValue(after)
    m.pullReview.mockResolvedValue(after)
    fireEvent.click(marco.getByTestId('review-confirm'))
    await waitFor(() => expect(m.decidePull).toHaveBeenCalledWith(3, [{ key: 'entity:c-marco', action: 'link', entityId: 42 }]))
    await waitFor(() => expect((screen.getByTestId('apply-pull') as HTMLButtonElement).disabled).toBe(false))
    expect(screen.getByTestId('tile-input').textContent).toContain('0')
    expect(screen.getByTestId('review-message').textContent).toContain('Ready to apply: 20 changes.')
  })

  it('changing the choice to create a new entity records exactly that', async () => {
    m.pullReview.mockResolvedValue(review())
    render(<PullReviewPanel pull={pullInfo()} onChanged={() => {}} />)
    await screen.findAllByTestId('review-item')
    const marco = within(card('entity:c-marco'))
    fireEvent.click(marco.getByLabelText('Create a new entity'))
    expect(m.decidePull).not.toHaveBeenCalled()
    m.decidePull.mockResolvedValue(review())
    fireEvent.click(marco.getByTestId('review-confirm'))
    await waitFor(() => expect(m.decidePull).toHaveBeenCalledWith(3, [{ key: 'entity:c-marco', action: 'create' }]))
  })

  it('shows updates field by field, before → after, and records a conflict choice at once', async () => {
    m.pullReview.mockResolvedValue(review({ items: [GIULIA] }))
    render(<PullReviewPanel pull={pullInfo()} onChanged={() => {}} />)
    await screen.findAllByTestId('review-item')
    const g = within(card('entity:c-giulia'))
    const rows = within(g.getByTestId('review-changes')).getAllByRole('row').slice(1)
    expect(rows[0].textContent).toContain('Email')
    expect(rows[0].textContent).toContain('giulia@old.example')
    expect(rows[0].textContent).toContain('giulia.rossi@example.com.au')
    expect(rows[1].textContent).toContain('Phone')
    expect(rows[1].textContent).toContain('(empty)')
    expect(rows[1].textContent).toContain('Will be written')
    expect((g.getByLabelText('Keep Structura’s') as HTMLInputElement).checked).toBe(true)
    m.decidePull.mockResolvedValue(review({ items: [GIULIA] }))
    fireEvent.click(g.getByLabelText('Use XPM’s'))
    await waitFor(() => expect(m.decidePull).toHaveBeenCalledWith(3, [{ key: 'entity:c-giulia', fields: { email: 'xpm' } }]))
  })

  it('"Use the suggestions" takes every suggested choice, then Apply starts writing', async () => {
    m.pullReview.mockResolvedValue(review())
    const onChanged = vi.fn()
    render(<PullReviewPanel pull={pullInfo()} onChanged={onChanged} />)
    await screen.findAllByTestId('review-item')
    const ready = review({ summary: summary({ needInput: 0, message: 'Ready to apply: 20 changes.' }) })
    m.acceptSuggestions.mockResolvedValue(ready)
    m.pullReview.mockResolvedValue(ready)
    fireEvent.click(screen.getByTestId('use-suggestions'))
    await waitFor(() => expect((screen.getByTestId('apply-pull') as HTMLButtonElement).disabled).toBe(false))
    expect(m.acceptSuggestions).toHaveBeenCalledWith(3)
    expect(m.applyPull).not.toHaveBeenCalled()
    const applying = pullInfo({ state: 'applying', applyJobId: 22 })
    m.applyPull.mockResolvedValue(applying)
    fireEvent.click(screen.getByTestId('apply-pull'))
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(applying))
    expect(m.applyPull).toHaveBeenCalledWith(3)
  })

  it('words the summary as the docs define it', () => {
    const s = summary()
    expect(summaryTiles(s).map((t) => [t.label, t.n])).toEqual([
      ['To create', 4],
      ['To update', 2],
      ['To link', 3],
      ['Need your input', 1],
    ])
    expect(applyLabel(summary({ changes: 1 }))).toBe('Apply 1 change')
    expect(applyLabel(summary({ changes: 0 }))).toBe('Finish (no changes)')
  })
})
