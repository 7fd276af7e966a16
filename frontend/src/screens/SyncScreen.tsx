// Sync with Xero Practice Manager is the next piece of work. Until then this
// screen says so plainly and offers no control that does nothing.
import { RefreshCw } from 'lucide-react'
import EmptyState from '../components/EmptyState'

export default function SyncScreen() {
  return (
    <div className="screen" data-testid="sync-screen">
      <header className="screen-header">
        <div>
          <h1 className="screen-title">Sync</h1>
          <p className="screen-subtitle">Keep your groups in step with Xero Practice Manager.</p>
        </div>
      </header>
      <div className="card">
        <EmptyState icon={<RefreshCw size={26} />} title="Connecting to Xero Practice Manager comes next">
          <p>
            A coming version of Structura connects to your practice in Xero Practice Manager (XPM). You will be able to
            import XPM client groups, bring their clients and relationships in, send the ones you record here back to
            XPM, and compare both sides before anything changes.
          </p>
          <p>
            Until then, everything you record is kept on this computer, in the data folder shown under Settings. Nothing
            is sent anywhere.
          </p>
        </EmptyState>
      </div>
    </div>
  )
}
