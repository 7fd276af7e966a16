// Record or edit a relationship: who, what, of whom, and for shareholdings
// and the like the shares and percentage. The type list comes from the
// backend's table; it is ordered and annotated by the kinds each type
// connects, but nothing is blocked here: the backend decides and its
// messages appear under the inputs.
import { useEffect, useMemo, useState } from 'react'
import Dialog from './Dialog'
import Field, { FieldRow } from './Field'
import ErrorBanner from './ErrorBanner'
import { api, type Entity, type Relationship, type RelationshipInput, type RelationshipType } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'
import { dateForInput, entityName, kindLabel, kindWithArticle, typeHelp } from '../lib/format'
import { unshownError } from '../lib/errors'

const SHOWN = ['fromId', 'toId', 'type', 'numberOfShares', 'percentage', 'startDate', 'endDate', 'notes']

interface Form {
  fromId: string
  type: string
  toId: string
  shares: string
  percentage: string
  startDate: string
  endDate: string
  notes: string
}

/** Turns typed text into the numbers the backend expects. Only the form of
 * the number is checked here (a typed "abc" cannot cross the bridge as a
 * number); whether the value is allowed is the backend's decision. */
export function parseNumbers(
  f: Pick<Form, 'shares' | 'percentage'>,
  t: Pick<RelationshipType, 'allowsShares' | 'allowsPercentage'> | undefined,
): { shares?: number; percentage?: number; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  let shares: number | undefined
  let percentage: number | undefined
  const s = f.shares.replace(/[\s,]/g, '')
  if (t?.allowsShares && s !== '') {
    if (/^-?\d+$/.test(s)) shares = Number(s)
    else errors.numberOfShares = 'Enter the number of shares as a whole number, for example 100.'
  }
  const p = f.percentage.replace(/[\s%]/g, '')
  if (t?.allowsPercentage && p !== '') {
    if (/^-?(\d+\.?\d*|\.\d+)$/.test(p)) percentage = Number(p)
    else errors.percentage = 'Enter the percentage as a number, for example 50 or 33.33.'
  }
  return { shares, percentage, errors }
}

export interface RelationshipDialogProps {
  /** Members of the group, offered first. */
  members: Entity[]
  /** Related entities outside the group, offered next. */
  external: Entity[]
  types: RelationshipType[]
  relationship?: Relationship
  initialFromId?: number
  onClose: () => void
  onSaved: (r: Relationship, created: boolean) => void
}

export default function RelationshipDialog({
  members,
  external,
  types,
  relationship: rel,
  initialFromId,
  onClose,
  onSaved,
}: RelationshipDialogProps) {
  const [form, setForm] = useState<Form>(() => ({
    fromId: rel ? String(rel.fromId) : initialFromId ? String(initialFromId) : '',
    type: rel?.type ?? '',
    toId: rel ? String(rel.toId) : '',
    shares: rel?.numberOfShares != null ? String(rel.numberOfShares) : '',
    percentage: rel?.percentage != null ? String(rel.percentage) : '',
    startDate: dateForInput(rel?.startDate),
    endDate: dateForInput(rel?.endDate),
    notes: rel?.notes ?? '',
  }))
  const [others, setOthers] = useState<Entity[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  // Every other entity, so a relationship can reach outside the group.
  useEffect(() => {
    let live = true
    api
      .listEntities('')
      .then((all) => live && setOthers(all))
      .catch(() => {
        // the group's own entities are still offered
      })
    return () => {
      live = false
    }
  }, [])

  const byId = useMemo(() => {
    const m = new Map<number, Entity>()
    for (const e of [...others, ...external, ...members]) m.set(e.id, e)
    return m
  }, [members, external, others])
  const memberIds = new Set(members.map((e) => e.id))
  const externalIds = new Set(external.map((e) => e.id))
  const rest = others.filter((e) => !memberIds.has(e.id) && !externalIds.has(e.id))

  const from = form.fromId ? byId.get(Number(form.fromId)) : undefined
  const to = form.toId ? byId.get(Number(form.toId)) : undefined
  const type = types.find((t) => t.code === form.type)
  const suited = from ? types.filter((t) => t.fromKinds?.includes(from.kind)) : types
  const unsuited = from ? types.filter((t) => !t.fromKinds?.includes(from.kind)) : []

  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  const err = (k: string) => error?.field(k)

  useEffect(() => {
    if (!error?.fields) return
    document.querySelector<HTMLElement>('[data-testid="relationship-dialog"] [aria-invalid="true"]')?.focus()
  }, [error])

  async function save() {
    setError(undefined)
    const nums = parseNumbers(form, type)
    if (Object.keys(nums.errors).length > 0) {
      setError(new AppError({ code: 'validation', message: 'Please correct the highlighted fields.', fields: nums.errors }))
      return
    }
    const input: RelationshipInput = {
      fromId: Number(form.fromId) || 0,
      toId: Number(form.toId) || 0,
      type: form.type,
      numberOfShares: nums.shares,
      percentage: nums.percentage,
      startDate: form.startDate,
      endDate: form.endDate,
      notes: form.notes,
    }
    setBusy(true)
    try {
      const saved = rel ? await api.updateRelationship(rel.id, input) : await api.createRelationship(input)
      onSaved(saved, !rel)
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  const entityOptions = (
    <>
      <option value="">Choose an entity…</option>
      {members.length > 0 && (
        <optgroup label="In this group">
          {members.map((e) => (
            <option key={e.id} value={e.id}>
              {entityName(e)} ({kindLabel(e.kind, e.trustType)})
            </option>
          ))}
        </optgroup>
      )}
      {external.length > 0 && (
        <optgroup label="Related, not in this group">
          {external.map((e) => (
            <option key={e.id} value={e.id}>
              {entityName(e)} ({kindLabel(e.kind, e.trustType)})
            </option>
          ))}
        </optgroup>
      )}
      {rest.length > 0 && (
        <optgroup label="Other entities">
          {rest.map((e) => (
            <option key={e.id} value={e.id}>
              {entityName(e)} ({kindLabel(e.kind, e.trustType)})
            </option>
          ))}
        </optgroup>
      )}
    </>
  )

  const typeOption = (t: RelationshipType) => (
    <option key={t.code} value={t.code}>
      {t.label}
    </option>
  )

  return (
    <Dialog
      title={rel ? 'Edit relationship' : 'Add relationship'}
      description="Reads as a sentence: who is what of whom, for example “Jane Smith is Director of Smith Holdings Pty Ltd”."
      onClose={onClose}
      onSubmit={save}
      busy={busy}
      width="lg"
      testId="relationship-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : rel ? 'Save changes' : 'Add relationship'}
          </button>
        </>
      }
    >
      <ErrorBanner error={unshownError(error, SHOWN)} />
      <Field label="Who" error={err('fromId')}>
        <select className="input" value={form.fromId} onChange={set('fromId')} data-testid="rel-from">
          {entityOptions}
        </select>
      </Field>
      <Field label="Relationship" error={err('type')} help={type ? typeHelp(type) : 'Choose what the first entity is of the second.'}>
        <select className="input" value={form.type} onChange={set('type')} data-testid="rel-type">
          <option value="">Choose a relationship…</option>
          {from && unsuited.length > 0 ? (
            <>
              <optgroup label={`Usual for ${kindWithArticle(from.kind)}`}>
                {suited.map(typeOption)}
              </optgroup>
              <optgroup label="Other relationships">{unsuited.map(typeOption)}</optgroup>
            </>
          ) : (
            types.map(typeOption)
          )}
        </select>
      </Field>
      <Field label="Of whom" error={err('toId')}>
        <select className="input" value={form.toId} onChange={set('toId')} data-testid="rel-to">
          {entityOptions}
        </select>
      </Field>
      {from && type && to && (
        <p className="sentence" data-testid="rel-sentence">
          <strong>{entityName(from)}</strong> is {type.label} <strong>{entityName(to)}</strong>
        </p>
      )}
      {(type?.allowsShares || type?.allowsPercentage) && (
        <FieldRow>
          {type?.allowsShares ? (
            <Field label="Number of shares" note="(optional)" error={err('numberOfShares')}>
              <input className="input" value={form.shares} onChange={set('shares')} inputMode="numeric" autoComplete="off" />
            </Field>
          ) : (
            <div className="field field-spacer" />
          )}
          {type?.allowsPercentage ? (
            <Field label="Percentage (%)" note="(optional)" error={err('percentage')}>
              <input className="input" value={form.percentage} onChange={set('percentage')} inputMode="decimal" autoComplete="off" />
            </Field>
          ) : (
            <div className="field field-spacer" />
          )}
        </FieldRow>
      )}
      <FieldRow>
        <Field label="Start date" note="(optional)" help="Day first, for example 01/07/2020" error={err('startDate')}>
          <input className="input" value={form.startDate} onChange={set('startDate')} placeholder="DD/MM/YYYY" inputMode="numeric" autoComplete="off" />
        </Field>
        <Field label="End date" note="(optional)" help="Leave empty while it is current" error={err('endDate')}>
          <input className="input" value={form.endDate} onChange={set('endDate')} placeholder="DD/MM/YYYY" inputMode="numeric" autoComplete="off" />
        </Field>
      </FieldRow>
      <Field label="Notes" note="(optional)" error={err('notes')}>
        <textarea className="input textarea" rows={2} value={form.notes} onChange={set('notes')} />
      </Field>
    </Dialog>
  )
}
