// Display-only wording for the sync screens. Nothing here decides anything:
// the backend computes every message, count and choice; these helpers only
// make numbers and times readable.
import type { JobInfo } from '../../bridge/sync'
import { formatUpdated, plural } from '../../lib/format'

/** 75 → "about 1 minute left", -1 → "". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || seconds < 0 || Number.isNaN(seconds)) return ''
  if (seconds < 5) return 'a few seconds left'
  if (seconds < 90) return `about ${Math.round(seconds)} seconds left`
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} minutes left`
  const h = seconds / 3600
  return `about ${Number(h.toFixed(1))} hours left`
}

/** 42 → "about 42 seconds"; used for an estimate before starting. */
export function formatDuration(seconds: number): string {
  if (!(seconds >= 0)) return ''
  if (seconds < 2) return 'about a second'
  if (seconds < 90) return `about ${Math.round(seconds)} seconds`
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} minutes`
  return `about ${Number((seconds / 3600).toFixed(1))} hours`
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-AU')
}

/** "Today, 14:05" / "3 Mar 2025", or the fallback when there is no time. */
export function when(ts: unknown, fallback = ''): string {
  return formatUpdated(ts) || fallback
}

/** "today at 14:05", "yesterday at 09:12", "on 3 Mar 2025", or "". */
export function whenPhrase(ts: unknown): string {
  const w = formatUpdated(ts)
  const m = /^(Today|Yesterday), (.*)$/.exec(w)
  if (m) return `${m[1].toLowerCase()} at ${m[2]}`
  return w ? `on ${w}` : ''
}

/** "2 of 10" for a job's progress, "" when the total is unknown. */
export function jobCount(j: Pick<JobInfo, 'done' | 'total' | 'stage' | 'kind'>): string {
  if (!j.total || j.total <= 0) return ''
  // The discovery reports bytes of the client list, not items.
  if (j.kind === 'xpm.discover-groups' && j.stage === 'members') return ''
  return `${formatNumber(Math.min(j.done, j.total))} of ${formatNumber(j.total)}`
}

/** 0..100, or undefined for an indeterminate bar. */
export function jobPercent(j: Pick<JobInfo, 'done' | 'total'>): number | undefined {
  if (!j.total || j.total <= 0) return undefined
  return Math.max(0, Math.min(100, Math.round((j.done / j.total) * 100)))
}

/** "4,950 XPM calls left today", "" when unknown. */
export function callsLeft(n: number | null | undefined): string {
  if (n === null || n === undefined || n < 0) return ''
  return `${formatNumber(n)} XPM ${n === 1 ? 'call' : 'calls'} left today`
}

/** Words for a job state, for the jobs that stopped. */
export function jobStateText(j: JobInfo): string {
  switch (j.state) {
    case 'queued':
      return 'Waiting to start'
    case 'running':
      return j.canceling ? 'Stopping…' : 'Running'
    case 'paused':
      return j.interrupted ? 'Interrupted when Structura closed' : 'Paused'
    case 'succeeded':
      return 'Finished'
    case 'failed':
      return 'Stopped by a problem'
    case 'canceled':
      return 'Cancelled'
  }
  return ''
}

/** What a pull stage is, in words (the job's own message says more). */
export const STAGE_LABELS: Record<string, string> = {
  'read-groups': 'Reading the groups from XPM',
  'read-list': 'Reading the client list from XPM',
  'read-referenced': 'Reading related clients from XPM',
  plan: 'Preparing the review',
  apply: 'Writing to Structura',
  link: 'Linking groups',
  groups: 'Reading the list of groups',
  members: 'Counting members',
  done: 'Done',
}

export function memberCount(n: number | null | undefined): string {
  return n === null || n === undefined || n < 0 ? '–' : String(n)
}

export function groupsText(n: number): string {
  return plural(n, 'group', 'groups')
}
