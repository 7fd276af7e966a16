// One pull from XPM, from start to finish: reading (live progress, cancel,
// resume after a stop), the review (nothing written before Apply), applying
// (live progress, cancel after the group being written) and the summary of
// what changed. Follows pull:changed and job:progress (docs/pull.md).
import { useEffect, useRef, useState } from 'react'
import { ArrowLeft, CircleAlert, CloudDownload } from 'lucide-react'
import EmptyState from '../components/EmptyState'
import ErrorBanner from '../components/ErrorBanner'
import Spinner from '../components/Spinner'
import JobProgress from '../components/sync/JobProgress'
import PullResultPanel from '../components/sync/PullResultPanel'
import PullReviewPanel from '../components/sync/PullReviewPanel'
import { STAGE_LABELS, whenPhrase } from '../components/sync/syncFormat'
import { laterJob, onJobProgress, onPullChanged, syncApi, type JobInfo, type PullInfo } from '../bridge/sync'
import { AppError, toAppError } from '../bridge/errors'

const STEPS = [
  { key: 'read', label: 'Read from XPM' },
  { key: 'review', label: 'Review' },
  { key: 'apply', label: 'Apply' },
]

function stepOf(state: string): number {
  switch (state) {
    case 'reading':
      return 0
    case 'review':
      return 1
    case 'applying':
      return 2
    case 'applied':
      return 3
  }
  return -1
}

export default function PullScreen({ id }: { id: number }) {
  const [pull, setPull] = useState<PullInfo>()
  const [job, setJob] = useState<JobInfo>()
  const [error, setError] = useState<AppError>()
  const [actionError, setActionError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const pullRef = useRef<PullInfo | undefined>(undefined)
  pullRef.current = pull

  useEffect(() => {
    let live = true
    syncApi.getPull(id).then(
      (p) => live && setPull(p),
      (e) => live && setError(toAppError(e)),
    )
    const offs = [
      onPullChanged((p) => {
        if (p.id === id) setPull(p)
      }),
      onJobProgress((j) => {
        const p = pullRef.current
        if (p && (j.id === p.readJobId || j.id === p.applyJobId)) setJob((cur) => laterJob(cur, j))
      }),
    ]
    return () => {
      live = false
      offs.forEach((off) => off())
    }
  }, [id])

  // The job of the current stage, for a pull opened while it runs.
  const jobId = pull?.state === 'applying' ? pull.applyJobId : pull?.state === 'reading' ? pull.readJobId : undefined
  useEffect(() => {
    if (!jobId) return
    let live = true
    syncApi.getJob(jobId).then(
      (j) => live && setJob((cur) => laterJob(cur, j)),
      () => {},
    )
    return () => {
      live = false
    }
  }, [jobId])

  async function act(f: () => Promise<PullInfo>) {
    setBusy(true)
    setActionError(undefined)
    try {
      setPull(await f())
    } catch (e) {
      setActionError(toAppError(e))
    } finally {
      setBusy(false)
    }
  }

  if (!pull) {
    return (
      <div className="screen">
        <BackLink />
        {error ? (
          error.code === 'not_found' ? (
            <div className="card">
              <EmptyState icon={<CloudDownload size={26} />} title="This pull no longer exists"
                action={<a className="button button-primary" href="#/sync">Back to Import groups</a>}>
                <p>{error.hint ?? 'Start a new pull from the Import groups screen.'}</p>
              </EmptyState>
            </div>
          ) : (
            <ErrorBanner error={error} />
          )
        ) : (
          <Spinner />
        )}
      </div>
    )
  }

  const step = stepOf(pull.state)
  const currentJob = job && (job.id === jobId) ? job : undefined
  const stopped = (pull.state === 'reading' || pull.state === 'applying') && !!pull.error

  return (
    <div className="screen" data-testid="pull-screen" data-state={pull.state}>
      <BackLink />
      <header className="screen-header">
        <div className="screen-header-text">
          <h1 className="screen-title" data-testid="pull-title">{pull.title || 'Pull from XPM'}</h1>
          <p className="screen-subtitle">
            Started {whenPhrase(pull.createdAt)}
            {pull.calls > 0 && <span className="muted">· {pull.calls} XPM {pull.calls === 1 ? 'call' : 'calls'} made</span>}
          </p>
        </div>
      </header>

      {step >= 0 && (
        <ol className="stepper" aria-label="Steps">
          {STEPS.map((s, i) => (
            <li key={s.key} className={i < step ? 'done' : i === step ? 'current' : undefined} aria-current={i === step ? 'step' : undefined}>
              <span className="step-n">{i + 1}</span> {s.label}
            </li>
          ))}
        </ol>
      )}

      <ErrorBanner error={actionError} onDismiss={() => setActionError(undefined)} />

      {stopped && (
        <div className="banner banner-warning" role="alert" data-testid="pull-stopped">
          <CircleAlert size={18} aria-hidden className="banner-icon" />
          <div className="banner-text">
            <p className="banner-message">{pull.error!.message}</p>
            {pull.error!.hint && <p className="banner-hint">{pull.error!.hint}</p>}
            <p className="banner-hint">
              {pull.state === 'reading'
                ? 'What was read so far is kept; Resume carries on from there. Nothing was written to Structura.'
                : 'Groups already written stay, whole; Resume writes the others.'}
            </p>
          </div>
          <div className="banner-actions">
            <button type="button" className="button button-primary button-sm" onClick={() => act(() => syncApi.resumePull(pull.id))} disabled={busy}>
              Resume
            </button>
            <button type="button" className="button button-ghost button-sm" onClick={() => act(() => syncApi.cancelPull(pull.id))} disabled={busy}>
              Cancel pull
            </button>
          </div>
        </div>
      )}

      {pull.state === 'reading' && !stopped && (
        <div className="card job-card">
          {currentJob ? (
            <JobProgress job={currentJob} title="Reading from XPM" stageLabel={STAGE_LABELS[currentJob.stage]} onCancel={() => act(() => syncApi.cancelPull(pull.id))}
              note="Nothing is written to Structura while reading. You will review every change first." testId="pull-progress" />
          ) : (
            <Spinner label="Starting to read from XPM…" />
          )}
        </div>
      )}

      {pull.state === 'review' && <PullReviewPanel key={pull.id} pull={pull} onChanged={setPull} />}

      {pull.state === 'applying' && !stopped && (
        <div className="card job-card">
          {currentJob ? (
            <JobProgress job={currentJob} title="Writing to Structura" stageLabel={STAGE_LABELS[currentJob.stage]} cancelLabel="Stop after this group"
              onCancel={() => act(() => syncApi.cancelPull(pull.id))}
              note="Each group is written whole or not at all. If you stop, groups already written stay." testId="apply-progress" />
          ) : (
            <Spinner label="Writing to Structura…" />
          )}
        </div>
      )}

      {(pull.state === 'applied' || (pull.state === 'canceled' && pull.result)) && pull.result && (
        <PullResultPanel result={pull.result} canceled={pull.state === 'canceled'} />
      )}

      {pull.state === 'canceled' && !pull.result && (
        <div className="card">
          <EmptyState compact icon={<CloudDownload size={24} />} title="Pull cancelled" testId="pull-canceled"
            action={<a className="button button-primary" href="#/sync">Back to Import groups</a>}>
            <p>Nothing was written to Structura.</p>
          </EmptyState>
        </div>
      )}
      {pull.state === 'discarded' && (
        <div className="card">
          <EmptyState compact icon={<CloudDownload size={24} />} title="Pull discarded" testId="pull-discarded"
            action={<a className="button button-primary" href="#/sync">Back to Import groups</a>}>
            <p>Nothing was written to Structura.</p>
          </EmptyState>
        </div>
      )}
      {pull.state === 'failed' && (
        <div className="card">
          <EmptyState compact icon={<CircleAlert size={24} />} title="The pull stopped" testId="pull-failed"
            action={<a className="button button-primary" href="#/sync">Back to Import groups</a>}>
            {pull.error && <p>{pull.error.message}</p>}
            {pull.error?.hint && <p>{pull.error.hint}</p>}
            <p>{pull.result ? 'Groups already written stay as written; the others were not changed.' : 'Nothing was written to Structura.'}</p>
          </EmptyState>
        </div>
      )}
    </div>
  )
}

function BackLink() {
  return (
    <a className="back-link" href="#/sync">
      <ArrowLeft size={15} aria-hidden /> Import groups
    </a>
  )
}
