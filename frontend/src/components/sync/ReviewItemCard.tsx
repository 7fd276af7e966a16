// One line of a pull's review: what Apply would do with one XPM client,
// relationship or membership — the backend's title and detail, its warnings,
// field by field "in Structura → from XPM" for updates, and the choices it
// offers with the suggested one preselected. Items that need a decision are
// confirmed with "Use this choice"; other changes are recorded at once. No
// choice is computed here: options, labels and defaults are the backend's.
import { useState } from 'react'
import { CircleAlert, Info, TriangleAlert } from 'lucide-react'
import type { Decision, ReviewItem } from '../../bridge/sync'
import {
  KIND_LABELS,
  KINDS,
  TRUST_TYPE_LABELS,
  formatABN,
  formatACN,
  formatDate,
  formatPercent,
  formatPeriod,
  formatShares,
  kindLabel,
} from '../../lib/format'

const TYPE_LABELS: Record<string, string> = { entity: 'Client', relationship: 'Relationship', membership: 'Membership' }

export const ACTION_LABELS: Record<string, string> = {
  create: 'Create',
  update: 'Update',
  link: 'Link',
  unchanged: 'No change',
  skip: 'Leave out',
  add: 'Add',
  keep: 'Keep',
  remove: 'Remove',
  delete: 'Delete',
}

const KIND_SOURCES: Record<string, string> = {
  rule: 'from your saved rule',
  keyword: 'a guess from XPM’s details',
  local: 'as recorded in Structura',
  user: 'your choice',
  ask: 'XPM does not say',
}

const optKey = (action?: string, entityId?: number) => `${action ?? ''}:${entityId ?? 0}`

/** The decision in force for an item: the practitioner's, else the suggestion. */
export function currentChoice(it: ReviewItem): string {
  const d = it.decision?.action ? it.decision : it.suggested
  if (d?.action) return optKey(d.action, d.action === 'link' ? d.entityId : undefined)
  return optKey(it.action, it.action === 'link' ? it.entity?.entityId : undefined)
}

export interface ReviewItemCardProps {
  item: ReviewItem
  busy?: boolean
  /** Records one decision (the whole decision for this item). */
  onDecide: (d: Decision) => void
}

export default function ReviewItemCard({ item, busy, onDecide }: ReviewItemCardProps) {
  const ent = item.entity
  const base: Decision = item.decision ? { ...item.decision } : { key: item.key }
  // The kind is offered for a choice when XPM does not say it (asked), when
  // it was guessed, and once the practitioner chose it (to change it again).
  const askKind = !!ent && (ent.kind.source === 'ask' || ent.kind.source === 'keyword' || ent.kind.source === 'user' || !!item.decision?.kind)
  const [choice, setChoice] = useState(() => currentChoice(item))
  const [kind, setKind] = useState(() => item.decision?.kind || item.suggested?.kind || ent?.kind.kind || '')
  const [trustType, setTrustType] = useState(() => item.decision?.trustType || item.suggested?.trustType || ent?.kind.trustType || '')
  const [saveRule, setSaveRule] = useState(() => !!item.decision?.saveRule)
  const options = item.options ?? []
  const flags = item.flags ?? []
  const changes = item.changes ?? []
  const chosenAction = choice.split(':')[0]
  const needsKind = askKind && ent?.kind.source === 'ask' && (chosenAction === 'create' || chosenAction === '') && !kind

  function decision(over: Partial<Decision>): Decision {
    const [action, id] = choice.split(':')
    const d: Decision = { ...base, ...(action ? { action } : {}), ...(Number(id) ? { entityId: Number(id) } : {}), ...over }
    if (d.action !== 'link') delete d.entityId
    if (askKind && kind && (d.action === 'create' || !d.action)) {
      d.kind = kind
      d.trustType = kind === 'trust' ? trustType : ''
      d.saveRule = saveRule && !!ent?.businessStructure
    }
    return d
  }

  function pick(value: string) {
    setChoice(value)
    if (!item.needsInput) {
      const [action, id] = value.split(':')
      onDecide(decision({ action, entityId: Number(id) || undefined }))
    }
  }

  function changeKind(k: string, t: string, rule: boolean) {
    setKind(k)
    setTrustType(t)
    setSaveRule(rule)
    if (!item.needsInput && k) {
      onDecide({ ...base, kind: k, trustType: k === 'trust' ? t : '', saveRule: rule && !!ent?.businessStructure })
    }
  }

  const shownAction = item.decision?.action || item.action
  return (
    <article
      className={`review-item${item.needsInput ? ' review-item-input' : ''}${item.problem ? ' review-item-problem' : ''}`}
      data-testid="review-item"
      data-key={item.key}
      aria-label={item.title}
    >
      <header className="review-item-head">
        <span className="review-type">{TYPE_LABELS[item.type] ?? 'Item'}</span>
        <h3 className="review-title">{item.title}</h3>
        <span className={`action-badge action-${shownAction}`} data-testid="review-action">
          {ACTION_LABELS[shownAction] ?? 'Change'}
        </span>
        {item.needsInput && <span className="badge badge-warning">Needs your decision</span>}
      </header>
      {item.detail && <p className="review-detail">{item.detail}</p>}

      {ent && (
        <p className="review-meta">
          <span className={`kind kind-${ent.values.kind || ent.kind.kind}`}>{kindLabel(ent.values.kind || ent.kind.kind, ent.values.trustType || ent.kind.trustType)}</span>
          {ent.businessStructure && <span>XPM business structure: “{ent.businessStructure}”</span>}
          {KIND_SOURCES[ent.kind.source] && <span className="muted">Kind: {KIND_SOURCES[ent.kind.source]}</span>}
          {ent.referenced && <span className="badge">Related client outside the pulled groups</span>}
        </p>
      )}
      {item.relationship && <RelationshipFacts item={item} />}

      {flags.length > 0 && (
        <ul className="flag-list">
          {flags.map((f, i) => (
            <li key={i} className={`flag flag-${f.level === 'warning' ? 'warning' : 'info'}`} data-testid="review-flag">
              {f.level === 'warning' ? <TriangleAlert size={14} aria-hidden /> : <Info size={14} aria-hidden />}
              <span>{f.message}</span>
            </li>
          ))}
        </ul>
      )}

      {changes.length > 0 && (
        <table className="changes-table" data-testid="review-changes">
          <caption className="visually-hidden">Field changes for {item.title}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">In Structura now</th>
              <th scope="col" aria-label="becomes" />
              <th scope="col">From XPM</th>
              <th scope="col">
                <span className="visually-hidden">Outcome</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => {
              const useXpm = item.decision?.fields?.[c.field] ? item.decision.fields[c.field] === 'xpm' : c.apply
              return (
                <tr key={c.field} className={c.conflict ? 'conflict' : undefined}>
                  <th scope="row">{c.label}</th>
                  <td className={useXpm ? (c.local ? 'old' : 'was-empty') : 'kept'}>{c.local || <span className="muted">(empty)</span>}</td>
                  <td className="arrow" aria-hidden>→</td>
                  <td className={useXpm ? 'new' : 'not-used'}>{c.xpm || <span className="muted">(empty)</span>}</td>
                  <td className="outcome">
                    {c.conflict ? (
                      <div className="segmented" role="radiogroup" aria-label={`${c.label}: which value to keep`}>
                        <label className={!useXpm ? 'on' : undefined}>
                          <input type="radio" name={`${item.key}-${c.field}`} checked={!useXpm} disabled={busy}
                            onChange={() => onDecide({ ...base, fields: { ...(base.fields ?? {}), [c.field]: 'local' } })} />
                          Keep Structura’s
                        </label>
                        <label className={useXpm ? 'on' : undefined}>
                          <input type="radio" name={`${item.key}-${c.field}`} checked={useXpm} disabled={busy}
                            onChange={() => onDecide({ ...base, fields: { ...(base.fields ?? {}), [c.field]: 'xpm' } })} />
                          Use XPM’s
                        </label>
                      </div>
                    ) : useXpm ? (
                      <span className="muted">Will be written</span>
                    ) : (
                      <span className="muted">Not written</span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {changes.length === 0 && ent && shownAction === 'create' && <CreatedValues item={item} />}
      {changes.some((c) => c.conflict) && (
        <p className="review-note">Changed on both sides since the last pull: Structura’s value is kept unless you choose XPM’s.</p>
      )}

      {item.problem && (
        <p className="review-problem" role="alert">
          <CircleAlert size={14} aria-hidden /> {item.problem}
        </p>
      )}

      {(options.length > 1 || askKind) && (
        <div className="review-decision">
          {options.length > 1 && (
            <div className="option-list" role="radiogroup" aria-label={`What to do with ${item.title}`}>
              {options.map((o) => {
                const v = optKey(o.action, o.action === 'link' ? o.entityId : undefined)
                const suggested = item.suggested && optKey(item.suggested.action, item.suggested.action === 'link' ? item.suggested.entityId : undefined) === v
                return (
                  <label key={v} className={`option${choice === v ? ' option-on' : ''}`}>
                    <input type="radio" name={`choice-${item.key}`} value={v} checked={choice === v} disabled={busy} onChange={() => pick(v)} />
                    <span>{o.label}</span>
                    {suggested && <span className="badge badge-accent">Suggested</span>}
                  </label>
                )
              })}
            </div>
          )}
          {askKind && ent && chosenAction !== 'skip' && chosenAction !== 'link' && (
            <div className="kind-picker">
              <label className="field-label" htmlFor={`kind-${item.key}`}>
                Kind of entity
              </label>
              <select id={`kind-${item.key}`} className="input" value={kind} disabled={busy}
                onChange={(e) => changeKind(e.target.value, e.target.value === 'trust' ? trustType || 'discretionary' : '', saveRule)}>
                {!kind && <option value="">Choose…</option>}
                {KINDS.map((k) => (
                  <option key={k} value={k}>{KIND_LABELS[k]}</option>
                ))}
              </select>
              {kind === 'trust' && (
                <select className="input" aria-label="Trust type" value={trustType} disabled={busy}
                  onChange={(e) => changeKind(kind, e.target.value, saveRule)}>
                  {Object.entries(TRUST_TYPE_LABELS).map(([v, l]) => (
                    <option key={v} value={v}>{l}</option>
                  ))}
                </select>
              )}
              {ent.businessStructure && (
                <label className="checkbox">
                  <input type="checkbox" checked={saveRule} disabled={busy || !kind} onChange={(e) => changeKind(kind, trustType, e.target.checked)} />
                  <span>Save as a rule for “{ent.businessStructure}”</span>
                </label>
              )}
            </div>
          )}
          {item.needsInput && (
            <div className="review-confirm">
              <button type="button" className="button button-primary button-sm" disabled={busy || needsKind} onClick={() => onDecide(decision({}))}
                data-testid="review-confirm">
                Use this choice
              </button>
              {needsKind && <span className="muted">Choose the kind first.</span>}
            </div>
          )}
        </div>
      )}
    </article>
  )
}

function RelationshipFacts({ item }: { item: ReviewItem }) {
  const r = item.relationship!
  const parts = [
    r.numberOfShares ? `${formatShares(r.numberOfShares)} shares` : '',
    r.percentage !== undefined && r.percentage !== null ? formatPercent(r.percentage) : '',
    formatPeriod(r.startDate ?? '', r.endDate ?? ''),
  ].filter(Boolean)
  if (parts.length === 0 && !r.crossGroup) return null
  return (
    <p className="review-meta">
      {parts.length > 0 && <span>{parts.join(' · ')}</span>}
      {r.crossGroup && <span className="badge">Involves a client outside the pulled groups</span>}
    </p>
  )
}

function CreatedValues({ item }: { item: ReviewItem }) {
  const v = item.entity!.values
  const facts: [string, string][] = [
    ['Date of birth', formatDate(v.dateOfBirth)],
    ['ABN', formatABN(v.abn)],
    ['ACN', formatACN(v.acn)],
    ['Email', v.email ?? ''],
    ['Phone', v.phone ?? ''],
    ['Address', v.address ?? ''],
  ]
  const shown = facts.filter(([, x]) => x)
  if (shown.length === 0) return null
  return (
    <dl className="created-values">
      {shown.map(([k, x]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{x}</dd>
        </div>
      ))}
    </dl>
  )
}
