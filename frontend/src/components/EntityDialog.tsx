// Create or edit an entity. The kind comes first and decides which fields
// are shown (names and date of birth for individuals, legal name for the
// others, ACN for companies, trust type for trusts). Every rule — ABN and
// ACN check digits, dates, TFN — is the backend's: its messages appear under
// the inputs and the dialog keeps what was typed.
import { useEffect, useState } from 'react'
import Dialog from './Dialog'
import Field, { FieldRow } from './Field'
import ErrorBanner from './ErrorBanner'
import FieldError from './FieldError'
import { api, type Entity, type EntityInput } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'
import { KINDS, KIND_LABELS, TRUST_TYPE_LABELS, dateForInput, formatABN, formatACN, type Kind } from '../lib/format'
import { unshownError } from '../lib/errors'

type TfnMode = 'none' | 'keep' | 'change' | 'remove'

interface Form {
  kind: string
  trustType: string
  givenName: string
  familyName: string
  legalName: string
  tradingName: string
  dateOfBirth: string
  abn: string
  acn: string
  email: string
  phone: string
  address: string
  notes: string
  tfn: string
}

function initialForm(e: Entity | undefined, kind: Kind): Form {
  return {
    kind: e?.kind ?? kind,
    trustType: e?.trustType ?? '',
    givenName: e?.givenName ?? '',
    familyName: e?.familyName ?? '',
    legalName: e?.legalName ?? '',
    tradingName: e?.tradingName ?? '',
    dateOfBirth: dateForInput(e?.dateOfBirth),
    abn: formatABN(e?.abn),
    acn: formatACN(e?.acn),
    email: e?.email ?? '',
    phone: e?.phone ?? '',
    address: e?.address ?? '',
    notes: e?.notes ?? '',
    tfn: '',
  }
}

/** Which inputs a kind shows. Presentation only: the backend checks. */
export function fieldsForKind(kind: string): string[] {
  const common = ['kind', 'tradingName', 'abn', 'tfn', 'email', 'phone', 'address', 'notes']
  if (kind === 'individual') return [...common, 'givenName', 'familyName', 'dateOfBirth']
  const named = [...common, 'legalName']
  if (kind === 'company') return [...named, 'acn']
  if (kind === 'trust') return [...named, 'trustType']
  return named
}

/** The input sent to the backend: only the fields shown for the kind. */
export function buildEntityInput(f: Form, tfnMode: TfnMode): EntityInput {
  const shown = new Set(fieldsForKind(f.kind))
  const v = (k: keyof Form) => (shown.has(k) ? f[k] : '')
  const input: EntityInput = {
    kind: f.kind,
    trustType: v('trustType'),
    givenName: v('givenName'),
    familyName: v('familyName'),
    legalName: v('legalName'),
    tradingName: v('tradingName'),
    dateOfBirth: v('dateOfBirth'),
    abn: v('abn'),
    acn: v('acn'),
    email: f.email,
    phone: f.phone,
    address: f.address,
    notes: f.notes,
  }
  if (tfnMode === 'remove') input.tfn = ''
  else if ((tfnMode === 'change' || tfnMode === 'none') && f.tfn.trim() !== '') input.tfn = f.tfn
  return input
}

export interface EntityDialogProps {
  /** The group a new entity joins (0 = none). */
  groupId: number
  entity?: Entity
  initialKind?: Kind
  onClose: () => void
  onSaved: (e: Entity, created: boolean) => void
}

export default function EntityDialog({ groupId, entity, initialKind = 'individual', onClose, onSaved }: EntityDialogProps) {
  const [form, setForm] = useState<Form>(() => initialForm(entity, initialKind))
  const [tfnMode, setTfnMode] = useState<TfnMode>(entity?.tfnLast3 ? 'keep' : 'none')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  const shown = fieldsForKind(form.kind)
  const err = (k: string) => error?.field(k)

  useEffect(() => {
    if (!error?.fields) return
    const first = document.querySelector<HTMLElement>('[data-testid="entity-dialog"] [aria-invalid="true"]')
    first?.focus()
  }, [error])

  async function save() {
    setBusy(true)
    setError(undefined)
    try {
      const input = buildEntityInput(form, tfnMode)
      const saved = entity ? await api.updateEntity(entity.id, input) : await api.createEntity(groupId, input)
      onSaved(saved, !entity)
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  const isIndividual = form.kind === 'individual'
  const kindWord = (KIND_LABELS[form.kind] ?? 'entity').toLowerCase()

  return (
    <Dialog
      title={entity ? `Edit ${entity.displayName}` : 'Add entity'}
      description={entity ? undefined : groupId ? 'The new entity joins this group.' : undefined}
      onClose={onClose}
      onSubmit={save}
      busy={busy}
      width="lg"
      testId="entity-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : entity ? 'Save changes' : 'Add entity'}
          </button>
        </>
      }
    >
      <div>
        <ErrorBanner error={unshownError(error, shown)} />
        <FieldRow>
          <Field label="Kind of entity" error={err('kind')}>
            <select className="input" value={form.kind} onChange={set('kind')} data-testid="entity-kind">
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </Field>
          {form.kind === 'trust' ? (
            <Field label="Trust type" error={err('trustType')}>
              <select className="input" value={form.trustType} onChange={set('trustType')}>
                <option value="">Not recorded</option>
                {Object.entries(TRUST_TYPE_LABELS).map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <div className="field field-spacer" />
          )}
        </FieldRow>

        <h3 className="form-section">Name</h3>
        {isIndividual ? (
          <>
            <FieldRow>
              <Field label="Given name" error={err('givenName')}>
                <input className="input" value={form.givenName} onChange={set('givenName')} autoComplete="off" />
              </Field>
              <Field label="Family name" error={err('familyName')}>
                <input className="input" value={form.familyName} onChange={set('familyName')} autoComplete="off" />
              </Field>
            </FieldRow>
            <FieldRow>
              <Field label="Date of birth" note="(optional)" help="Day first, for example 30/06/1970" error={err('dateOfBirth')}>
                <input className="input" value={form.dateOfBirth} onChange={set('dateOfBirth')} placeholder="DD/MM/YYYY" inputMode="numeric" autoComplete="off" />
              </Field>
              <Field label="Trading name" note="(optional)" error={err('tradingName')}>
                <input className="input" value={form.tradingName} onChange={set('tradingName')} autoComplete="off" />
              </Field>
            </FieldRow>
          </>
        ) : (
          <FieldRow>
            <Field label="Legal name" error={err('legalName')}>
              <input className="input" value={form.legalName} onChange={set('legalName')} autoComplete="off" placeholder={`The ${kindWord}'s full legal name`} />
            </Field>
            <Field label="Trading name" note="(optional)" error={err('tradingName')}>
              <input className="input" value={form.tradingName} onChange={set('tradingName')} autoComplete="off" />
            </Field>
          </FieldRow>
        )}

        <h3 className="form-section">Tax and registration</h3>
        <FieldRow>
          <Field label="ABN" note="(optional)" error={err('abn')}>
            <input className="input mono" value={form.abn} onChange={set('abn')} placeholder="11 digits" inputMode="numeric" autoComplete="off" />
          </Field>
          {form.kind === 'company' ? (
            <Field label="ACN" note="(optional)" error={err('acn')}>
              <input className="input mono" value={form.acn} onChange={set('acn')} placeholder="9 digits" inputMode="numeric" autoComplete="off" />
            </Field>
          ) : (
            <div className="field field-spacer" />
          )}
        </FieldRow>
        <TfnField
          mode={tfnMode}
          last3={entity?.tfnLast3 ?? ''}
          value={form.tfn}
          error={err('tfn')}
          onMode={(m) => {
            setTfnMode(m)
            if (m !== 'change') setForm((f) => ({ ...f, tfn: '' }))
          }}
          onChange={set('tfn')}
        />

        <h3 className="form-section">Contact</h3>
        <FieldRow>
          <Field label="Email" note="(optional)" error={err('email')}>
            <input className="input" type="email" value={form.email} onChange={set('email')} autoComplete="off" />
          </Field>
          <Field label="Phone" note="(optional)" error={err('phone')}>
            <input className="input" type="tel" value={form.phone} onChange={set('phone')} autoComplete="off" />
          </Field>
        </FieldRow>
        <Field label="Address" note="(optional)" error={err('address')}>
          <input className="input" value={form.address} onChange={set('address')} autoComplete="off" />
        </Field>
        <Field label="Notes" note="(optional)" error={err('notes')}>
          <textarea className="input textarea" rows={2} value={form.notes} onChange={set('notes')} />
        </Field>
      </div>
    </Dialog>
  )
}

function TfnField({
  mode,
  last3,
  value,
  error,
  onMode,
  onChange,
}: {
  mode: TfnMode
  last3: string
  value: string
  error?: string
  onMode: (m: TfnMode) => void
  onChange: (e: { target: { value: string } }) => void
}) {
  if (mode === 'keep' || mode === 'remove') {
    return (
      <div className="field">
        <span className="field-label">Tax file number</span>
        <div className="tfn-on-file" data-testid="tfn-on-file">
          {mode === 'keep' ? (
            <>
              <span>
                TFN on file ending in <span className="mono">•••{last3}</span>
              </span>
              <span className="tfn-actions">
                <button type="button" className="button button-secondary button-sm" onClick={() => onMode('change')}>
                  Change
                </button>
                <button type="button" className="button button-ghost button-sm" onClick={() => onMode('remove')}>
                  Remove
                </button>
              </span>
            </>
          ) : (
            <>
              <span>The TFN ending in •••{last3} will be removed when you save.</span>
              <span className="tfn-actions">
                <button type="button" className="button button-secondary button-sm" onClick={() => onMode('keep')}>
                  Keep it
                </button>
              </span>
            </>
          )}
        </div>
        <FieldError id="tfn-error" message={error} />
      </div>
    )
  }
  return (
    <FieldRow>
      <Field
        label={mode === 'change' ? 'New tax file number' : 'Tax file number'}
        note="(optional)"
        help="Stored encrypted. Afterwards only the last 3 digits are shown."
        error={error}
      >
        <input className="input mono" value={value} onChange={onChange} inputMode="numeric" autoComplete="off" spellCheck={false} />
      </Field>
      <div className="field field-inline-action">
        {mode === 'change' && (
          <button type="button" className="button button-ghost button-sm" onClick={() => onMode('keep')}>
            Keep the current TFN
          </button>
        )}
      </div>
    </FieldRow>
  )
}
