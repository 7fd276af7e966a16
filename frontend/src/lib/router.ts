// A tiny hash router: #/groups, #/groups/12, #/sync, #/sync/pulls/3, #/settings.
import { useEffect, useState } from 'react'

export type Route =
  | { name: 'groups' }
  | { name: 'group'; id: number }
  | { name: 'sync' }
  | { name: 'pull'; id: number }
  | { name: 'settings' }

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '')
  const m = /^\/groups\/(\d+)$/.exec(path)
  if (m) return { name: 'group', id: Number(m[1]) }
  const pm = /^\/sync\/pulls\/(\d+)$/.exec(path)
  if (pm) return { name: 'pull', id: Number(pm[1]) }
  if (path === '/sync') return { name: 'sync' }
  if (path === '/settings') return { name: 'settings' }
  return { name: 'groups' }
}

export function routeHash(r: Route): string {
  switch (r.name) {
    case 'group':
      return `#/groups/${r.id}`
    case 'sync':
      return '#/sync'
    case 'pull':
      return `#/sync/pulls/${r.id}`
    case 'settings':
      return '#/settings'
    default:
      return '#/groups'
  }
}

export function navigate(r: Route): void {
  const h = routeHash(r)
  if (window.location.hash !== h) window.location.hash = h
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash))
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}
