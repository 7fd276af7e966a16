// Plain-language wording for connection values (display only: nothing here
// decides anything).
import type { ParkedLinks } from '../../bridge/connection'
import { plural } from '../../lib/format'

const SCOPE_LABELS: Record<string, string> = {
  openid: 'Sign in with Xero',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Stay connected until you disconnect',
  'practicemanager.read': 'Read practice data (staff, jobs, settings)',
  'practicemanager.client': 'Read and update clients, groups and relationships',
  'practicemanager.client.read': 'Read clients, groups and relationships',
  practicemanager: 'Full access to Xero Practice Manager',
}

/** "practicemanager.client" → "Read and update clients, groups and relationships". */
export function scopeLabel(scope: string): string {
  return SCOPE_LABELS[scope] ?? scope
}

/** 180 → "0.18 seconds", 2400 → "2.4 seconds". */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return ''
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  const s = Number((ms / 1000).toFixed(ms < 10000 ? 1 : 0))
  return s === 1 ? '1 second' : `${s} seconds`
}

/** A count of calls left, or what it means when Xero did not say. */
export function formatCallsLeft(n: number | undefined | null): string {
  if (n === undefined || n === null) return 'Not reported by Xero'
  return n.toLocaleString('en-AU')
}

/** "3 groups, 20 clients and 4 relationships" ("" when none). */
export function describeLinkCounts(c: { groups: number; entities: number; relationships: number } | undefined): string {
  if (!c) return ''
  const parts: string[] = []
  if (c.groups) parts.push(plural(c.groups, 'group', 'groups'))
  if (c.entities) parts.push(plural(c.entities, 'client', 'clients'))
  if (c.relationships) parts.push(plural(c.relationships, 'relationship', 'relationships'))
  if (parts.length <= 1) return parts.join('')
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
}

/** The sentence about links kept for practices Structura is not connected to. */
export function describeParked(p: ParkedLinks): string {
  return `Links to ${p.tenantName} are kept (${describeLinkCounts(p)}). They are used again when you connect to that practice.`
}
