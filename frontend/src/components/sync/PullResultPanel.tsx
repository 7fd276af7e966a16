// What a pull wrote: the backend's one-line message, the counts, each group
// with a link to its page, and what was left out with why.
import { ArrowRight, CircleAlert, CircleCheck } from 'lucide-react'
import type { PullResult } from '../../bridge/sync'
import { plural } from '../../lib/format'

export default function PullResultPanel({ result, canceled }: { result: PullResult; canceled?: boolean }) {
  const rows: [string, number][] = [
    ['Entities created', result.created],
    ['Entities updated', result.updated],
    ['Entities linked to ones already here', result.linked],
    ['Memberships added', result.membersAdded],
    ['Memberships removed', result.membersRemoved],
    ['Relationships recorded', result.relationshipsCreated],
    ['Relationships updated', result.relationshipsUpdated],
    ['Relationships linked', result.relationshipsLinked],
    ['Relationships deleted', result.relationshipsDeleted],
  ]
  const shown = rows.filter(([, n]) => n > 0)
  return (
    <div className="pull-result" data-testid="pull-result">
      <div className={`banner ${canceled ? 'banner-warning' : 'banner-success'}`} role="status">
        {canceled ? <CircleAlert size={18} aria-hidden className="banner-icon" /> : <CircleCheck size={18} aria-hidden className="banner-icon" />}
        <div className="banner-text">
          <p className="banner-message" data-testid="pull-result-message">{result.message}</p>
        </div>
      </div>

      <div className="result-grid">
        <section className="card">
          <h2 className="section-title">What changed</h2>
          {shown.length === 0 ? (
            <p className="muted">Nothing was changed in Structura.</p>
          ) : (
            <dl className="props" data-testid="pull-result-counts">
              {shown.map(([k, n]) => (
                <div className="prop" key={k}>
                  <dt>{k}</dt>
                  <dd className="num">{n}</dd>
                </div>
              ))}
            </dl>
          )}
          {result.unchanged > 0 && <p className="muted result-note">{plural(result.unchanged, 'item was', 'items were')} already up to date.</p>}
        </section>

        <section className="card">
          <h2 className="section-title">Groups</h2>
          <ul className="result-groups">
            {result.groups.map((g) => (
              <li key={g.xpmUuid} data-testid="pull-result-group">
                <div>
                  <div className="pick-name">{g.name}</div>
                  <div className="pick-meta">
                    {g.problem
                      ? g.problem
                      : g.applied
                        ? `${plural(g.created + g.updated + g.linked, 'entity', 'entities')} · ${plural(g.relationshipsCreated + g.relationshipsUpdated + g.relationshipsLinked, 'relationship', 'relationships')} written`
                        : 'Not written'}
                  </div>
                </div>
                {g.localGroupId > 0 && (
                  <a className="button button-secondary button-sm" href={`#/groups/${g.localGroupId}`} aria-label={`Open ${g.name}`}>
                    Open group <ArrowRight size={14} aria-hidden />
                  </a>
                )}
              </li>
            ))}
          </ul>
        </section>
      </div>

      {result.skippedTotal > 0 && (
        <section className="section">
          <h2 className="section-title">
            Left out <span className="count">{result.skippedTotal}</span>
          </h2>
          <div className="card card-flush">
            <ul className="skipped-list" data-testid="pull-skipped">
              {result.skipped.map((k, i) => (
                <li key={k.key ?? i}>
                  <span className="pick-name">{k.title}</span>
                  <span className="skipped-why">{k.why}</span>
                </li>
              ))}
              {result.skippedTotal > result.skipped.length && (
                <li className="muted">and {result.skippedTotal - result.skipped.length} more</li>
              )}
            </ul>
          </div>
        </section>
      )}
    </div>
  )
}
