// A background job as it runs, fed by job:progress events: what it is doing
// now, n of m with a bar, the time left, the XPM calls left today, and a
// Cancel button. Cancelling is not a failure: the job says what it kept.
import { X } from 'lucide-react'
import type { JobInfo } from '../../bridge/sync'
import { callsLeft, formatEta, jobCount, jobPercent } from './syncFormat'

export interface JobProgressProps {
  job: JobInfo
  /** Heading; defaults to the job's own title. */
  title?: string
  onCancel?: () => void
  cancelLabel?: string
  /** Shown under the bar, e.g. "Nothing is written until you apply." */
  note?: string
  /** The stage in words, shown before the count. */
  stageLabel?: string
  testId?: string
}

export default function JobProgress({ job, title, onCancel, cancelLabel = 'Cancel', note, stageLabel, testId = 'job-progress' }: JobProgressProps) {
  const pct = jobPercent(job)
  const count = jobCount(job)
  const eta = job.state === 'running' ? formatEta(job.etaSeconds) : ''
  const calls = callsLeft(job.callsLeftToday)
  const running = job.state === 'running' || job.state === 'queued'
  const heading = title || job.title || 'Working…'
  return (
    <div className="job-progress" data-testid={testId} aria-busy={running}>
      <div className="job-progress-head">
        <div className="job-progress-title">{heading}</div>
        {onCancel && running && (
          <button
            type="button"
            className="button button-secondary button-sm"
            onClick={onCancel}
            disabled={job.canceling}
            data-testid="job-cancel"
          >
            <X size={14} aria-hidden /> {job.canceling ? 'Stopping…' : cancelLabel}
          </button>
        )}
      </div>
      <p className="job-progress-message" data-testid="job-message" role="status" aria-live="polite">
        {job.canceling ? 'Stopping as soon as it is safe…' : job.message || (job.state === 'queued' ? 'Waiting to start…' : 'Working…')}
      </p>
      <div
        className={`progress${pct === undefined ? ' progress-indeterminate' : ''}`}
        role="progressbar"
        aria-label={heading}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="progress-bar" style={pct === undefined ? undefined : { width: `${pct}%` }} />
      </div>
      {(stageLabel || count || eta || calls) && (
        <div className="job-progress-meta">
          {stageLabel && <span className="job-stage" data-testid="job-stage">{stageLabel}</span>}
          {count && <span data-testid="job-count">{count}</span>}
          {eta && <span data-testid="job-eta">{eta}</span>}
          {calls && <span data-testid="job-calls">{calls}</span>}
        </div>
      )}
      {note && <p className="job-progress-note">{note}</p>}
    </div>
  )
}
