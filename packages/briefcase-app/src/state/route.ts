/**
 * The URL is the route: `#/files/<folder>` (each segment percent-encoded) or `#/<screen>`, so links,
 * reload and the browser's back/forward all work without a router library.
 */
import { signal } from '@preact/signals'

export type Route =
  | { screen: 'files'; folder: string }
  | { screen: 'signin' | 'signup' | 'confirm' | 'reset' | 'account' | 'site' | 'profile'; folder?: undefined }

const SCREENS = new Set(['signin', 'signup', 'confirm', 'reset', 'account', 'site', 'profile'])

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '')
  if (raw === '' || raw === 'files' || raw.startsWith('files/')) {
    const segments = raw
      .slice('files'.length)
      .split('/')
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s)
        } catch {
          return s
        }
      })
    return { screen: 'files', folder: segments.length ? `/${segments.join('/')}` : '/' }
  }
  const screen = raw.split('/')[0] ?? ''
  return SCREENS.has(screen) ? ({ screen } as Route) : { screen: 'files', folder: '/' }
}

export function folderHash(folder: string): string {
  const segments = folder.split('/').filter(Boolean).map(encodeURIComponent)
  return `#/files${segments.length ? `/${segments.join('/')}` : ''}`
}

export const route = signal<Route>(parseHash(location.hash))
window.addEventListener('hashchange', () => {
  route.value = parseHash(location.hash)
})

export function go(hash: string): void {
  if (location.hash !== hash) location.hash = hash
}

export function openFolder(folder: string): void {
  go(folderHash(folder))
}
