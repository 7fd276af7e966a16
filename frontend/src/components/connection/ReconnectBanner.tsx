// "Reconnect needed": Xero no longer accepts Structura's connection (revoked
// in Xero, or unused for 60 days). Shown above every screen, with one-click
// reconnect; local data and links are kept.
import { RefreshCw, TriangleAlert } from 'lucide-react'
import { useConnection } from './ConnectionProvider'

export default function ReconnectBanner() {
  const { status, connect } = useConnection()
  if (status?.state !== 'reconnect_needed') return null
  return (
    <div className="reconnect-banner" role="alert" data-testid="reconnect-banner">
      <TriangleAlert size={18} aria-hidden className="banner-icon" />
      <div className="banner-text">
        <p className="banner-message">
          {status.label}
          {status.tenantName ? `: Xero no longer accepts Structura's connection to ${status.tenantName}.` : '.'}
        </p>
        {status.reason && <p className="banner-hint">{status.reason}</p>}
      </div>
      <button type="button" className="button button-primary button-sm" onClick={connect}>
        <RefreshCw size={14} aria-hidden /> Reconnect
      </button>
    </div>
  )
}
