// Shown instead of the app when it could not start (e.g. it is already open,
// or the data folder cannot be used): what happened and what to do.
import { TriangleAlert } from 'lucide-react'
import { Logo } from '../components/Sidebar'
import { quitApp } from '../bridge/api'

export default function StartupErrorScreen({ message, hint }: { message: string; hint?: string }) {
  return (
    <div className="startup-error" data-testid="startup-error" role="alert">
      <div className="startup-card">
        <div className="startup-brand">
          <Logo size={30} />
          <span className="brand-name">Structura</span>
        </div>
        <div className="startup-icon" aria-hidden>
          <TriangleAlert size={28} />
        </div>
        <h1 className="startup-title">{message}</h1>
        {hint && <p className="startup-hint">{hint}</p>}
        <p className="startup-note">Your data has not been changed.</p>
        <button type="button" className="button button-primary" onClick={quitApp} autoFocus>
          Close Structura
        </button>
      </div>
    </div>
  )
}
