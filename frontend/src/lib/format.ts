// Display-only formatting. Nothing here decides whether a value is valid:
// the backend does. These functions only make stored values readable.

import type { Entity, RelationshipType } from '../bridge/api'

const digits = (s: string) => s.replace(/\D/g, '')

/** "51824753556" → "51 824 753 556". Anything not 11 digits is shown as stored. */
export function formatABN(abn: string | undefined | null): string {
  if (!abn) return ''
  const d = digits(abn)
  if (d.length !== 11) return abn
  return `${d.slice(0, 2)} ${d.slice(2, 5)} ${d.slice(5, 8)} ${d.slice(8)}`
}

/** "004085616" → "004 085 616". Anything not 9 digits is shown as stored. */
export function formatACN(acn: string | undefined | null): string {
  if (!acn) return ''
  const d = digits(acn)
  if (d.length !== 9) return acn
  return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "1975-04-12" → "12 Apr 1975" (Australian order). Other text is shown as stored. */
/** Shows a stored YYYY-MM-DD date the way it is typed in Australia
 * (DD/MM/YYYY), for pre-filling an edit form. Anything else is returned as is. */
export function dateForInput(d: string | undefined | null): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d ?? '')
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (d ?? '')
}

export function formatDate(d: string | undefined | null): string {
  if (!d) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d)
  if (!m) return d
  const month = Number(m[2])
  if (month < 1 || month > 12) return d
  return `${Number(m[3])} ${MONTHS[month - 1]} ${m[1]}`
}

/** A timestamp from the backend as "Today, 14:05", "Yesterday, 09:12" or "3 Mar 2025". */
export function formatUpdated(ts: unknown, now: Date = new Date()): string {
  if (typeof ts !== 'string' && !(ts instanceof Date)) return ''
  const t = new Date(ts)
  if (Number.isNaN(t.getTime()) || t.getFullYear() < 1900) return ''
  const time = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime()
  const diffDays = Math.round((day(now) - day(t)) / 86400000)
  if (diffDays === 0) return `Today, ${time}`
  if (diffDays === 1) return `Yesterday, ${time}`
  return `${t.getDate()} ${MONTHS[t.getMonth()]} ${t.getFullYear()}`
}

export const KIND_LABELS: Record<string, string> = {
  individual: 'Individual',
  company: 'Company',
  trust: 'Trust',
  partnership: 'Partnership',
  smsf: 'SMSF',
  other: 'Other entity',
}

/** Entity kinds in the order the backend offers them (model.EntityKinds). */
export const KINDS = ['individual', 'company', 'trust', 'partnership', 'smsf', 'other'] as const
export type Kind = (typeof KINDS)[number]

export const TRUST_TYPE_LABELS: Record<string, string> = {
  discretionary: 'Discretionary',
  unit: 'Unit',
  hybrid: 'Hybrid',
  testamentary: 'Testamentary',
  bare: 'Bare',
  other: 'Other',
}

/** "Trust · Discretionary", "Company", "SMSF". */
export function kindLabel(kind: string, trustType?: string): string {
  const k = KIND_LABELS[kind] ?? 'Entity'
  if (kind === 'trust' && trustType && TRUST_TYPE_LABELS[trustType]) return `${k} · ${TRUST_TYPE_LABELS[trustType]}`
  return k
}

/** Plural, lower-case kind names for sentences: "individuals or companies". */
const KIND_PLURAL: Record<string, string> = {
  individual: 'individuals',
  company: 'companies',
  trust: 'trusts',
  partnership: 'partnerships',
  smsf: 'SMSFs',
  other: 'other entities',
}

export function kindList(kinds: string[] | undefined): string {
  const ks = (kinds ?? []).map((k) => KIND_PLURAL[k] ?? k)
  if (ks.length === 0) return 'any entity'
  if (ks.length >= KINDS.length) return 'any kind of entity'
  if (ks.length === 1) return ks[0]
  return `${ks.slice(0, -1).join(', ')} or ${ks[ks.length - 1]}`
}

/** "Trustee of: from individuals or companies to trusts or SMSFs." */
export function typeHelp(t: RelationshipType): string {
  return `${t.label}: from ${kindList(t.fromKinds)} to ${kindList(t.toKinds)}.`
}

/** The entity's name as the backend computed it, never empty. */
export function entityName(e: Pick<Entity, 'displayName'> | undefined): string {
  return e?.displayName || 'Unnamed entity'
}

/** A percentage without needless decimals: 40 → "40%", 33.333 → "33.33%". */
export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return ''
  return `${Number(p.toFixed(2))}%`
}

/** 1000 → "1,000". */
export function formatShares(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return ''
  return n.toLocaleString('en-AU')
}

/** "1 Jul 2020 – 30 Jun 2024", "Since 1 Jul 2020", "Until 30 Jun 2024", "". */
export function formatPeriod(start: string, end: string): string {
  const s = formatDate(start)
  const e = formatDate(end)
  if (s && e) return `${s} – ${e}`
  if (s) return `Since ${s}`
  if (e) return `Until ${e}`
  return ''
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

const KIND_ARTICLED: Record<string, string> = {
  individual: 'an individual',
  company: 'a company',
  trust: 'a trust',
  partnership: 'a partnership',
  smsf: 'an SMSF',
  other: 'another kind of entity',
}

/** "an individual", "an SMSF". */
export function kindWithArticle(kind: string): string {
  return KIND_ARTICLED[kind] ?? 'an entity'
}
