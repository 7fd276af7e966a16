// The answer of Test connection: a plain-language verdict (and the fix when
// something is wrong), the practice, how long the call took, the calls left
// and the permissions Xero granted.
import { CircleCheck, CircleX } from 'lucide-react'
import type { TestResult } from '../../bridge/connection'
import { formatCallsLeft, formatDuration, scopeLabel } from './describe'

function time(t: unknown): string {
  const d = new Date(String(t))
  if (Number.isNaN(d.getTime()) || d.getFullYear() < 2000) return ''
  return d.toLocaleTimeString('en-AU', { hour: 'numeric', minute: '2-digit', second: '2-digit' })
}

export default function TestResultPanel({ result, onDismiss }: { result: TestResult; onDismiss?: () => void }) {
  const at = time(result.checkedAt)
  const scopes = result.scopes.filter((s) => s !== 'openid')
  return (
    <div className={`test-result ${result.ok ? 'test-ok' : 'test-fail'}`} data-testid="test-result" role="status">
      <div className="test-verdict">
        {result.ok ? <CircleCheck size={20} aria-hidden /> : <CircleX size={20} aria-hidden />}
        <div>
          <p className="test-verdict-text" data-testid="test-verdict">
            {result.verdict}
          </p>
          {result.fix && (
            <p className="test-fix" data-testid="test-fix">
              <strong>What to do: </strong>
              {result.fix}
            </p>
          )}
        </div>
      </div>
      <dl className="props test-props">
        <div className="prop">
          <dt>Practice</dt>
          <dd data-testid="test-practice">{result.practiceName}</dd>
        </div>
        {result.durationMs > 0 || result.ok ? (
          <div className="prop">
            <dt>Time taken</dt>
            <dd data-testid="test-duration">{formatDuration(result.durationMs)}</dd>
          </div>
        ) : null}
        <div className="prop">
          <dt>Calls left this minute</dt>
          <dd data-testid="test-calls-minute">{formatCallsLeft(result.callsLeftThisMinute)}</dd>
        </div>
        <div className="prop">
          <dt>Calls left today</dt>
          <dd data-testid="test-calls-day">{formatCallsLeft(result.callsLeftToday)}</dd>
        </div>
        <div className="prop">
          <dt>Permissions granted</dt>
          <dd>
            {scopes.length ? (
              <ul className="scope-list" data-testid="test-scopes">
                {scopes.map((s) => (
                  <li key={s}>{scopeLabel(s)}</li>
                ))}
              </ul>
            ) : (
              'None reported'
            )}
          </dd>
        </div>
        {result.missingScopes.length > 0 && (
          <div className="prop">
            <dt>Missing permissions</dt>
            <dd>
              <ul className="scope-list scope-missing" data-testid="test-missing-scopes">
                {result.missingScopes.map((s) => (
                  <li key={s}>{scopeLabel(s)}</li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
      <div className="test-foot">
        {at && <span>Checked at {at}</span>}
        {onDismiss && (
          <button type="button" className="button button-ghost button-sm" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
    </div>
  )
}
