// The app's navigation: product name, then Groups, Sync and Settings.
import { RefreshCw, Settings, Users } from 'lucide-react'
import type { Route } from '../lib/router'

const ITEMS = [
  { name: 'groups', label: 'Groups', href: '#/groups', Icon: Users },
  { name: 'sync', label: 'Sync', href: '#/sync', Icon: RefreshCw },
  { name: 'settings', label: 'Settings', href: '#/settings', Icon: Settings },
] as const

export function Logo({ size = 26 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden className="logo">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <circle cx="16" cy="9" r="3.2" fill="#fff" />
      <circle cx="9" cy="22.5" r="3.2" fill="#fff" />
      <circle cx="23" cy="22.5" r="3.2" fill="#fff" />
      <path d="M16 12.2v4.3M16 16.5l-6 4M16 16.5l6 4" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" fill="none" />
    </svg>
  )
}

export default function Sidebar({ route }: { route: Route }) {
  const active = route.name === 'group' ? 'groups' : route.name === 'pull' ? 'sync' : route.name
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <Logo />
        <span className="brand-name">Structura</span>
      </div>
      <ul className="nav">
        {ITEMS.map(({ name, label, href, Icon }) => (
          <li key={name}>
            <a href={href} className={`nav-item${active === name ? ' active' : ''}`} aria-current={active === name ? 'page' : undefined}>
              <Icon size={17} aria-hidden />
              <span>{label}</span>
            </a>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">Client structures for your practice</div>
    </nav>
  )
}
