/** The app's frame: signed-out screens, or the header, side navigation and the current screen. */
import { useEffect } from 'preact/hooks'
import { formatSize } from '../format.js'
import { go, route } from '../state/route.js'
import { ready, sessionLost, user } from '../state/session.js'
import { loadUsage, usage } from '../state/usage.js'
import { Account } from './account.js'
import { Confirm, Reset, SignIn, SignUp } from './auth-screens.js'
import { Overlays } from './dialog.js'
import { Files } from './files.js'
import { ProfileScreen } from './profile.js'
import { SessionLostDialog } from './session-lost.js'
import { SiteScreen } from './site.js'
import { UploadTray } from './upload-tray.js'

export function App() {
  const r = route.value
  const me = user.value
  useEffect(() => {
    if (me) loadUsage().catch(() => {})
  }, [me?.identityId])
  if (!ready.value) return <p class="boot">Opening your Briefcase…</p>
  if (!me) {
    if (r.screen === 'signup') return <SignUp />
    if (r.screen === 'confirm') return <Confirm />
    if (r.screen === 'reset') return <Reset />
    return <SignIn />
  }
  if (r.screen === 'signin' || r.screen === 'signup' || r.screen === 'confirm' || r.screen === 'reset') {
    go('#/files')
    return null
  }
  const u = usage.value
  const nav = (hash: string, label: string, current: boolean) => (
    <a href={hash} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  )
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/files">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          My Briefcase
        </a>
        <nav aria-label="Main">
          {nav('#/files', 'Files', r.screen === 'files')}
          {nav('#/site', 'My site', r.screen === 'site')}
          {nav('#/profile', 'Profile', r.screen === 'profile')}
          {nav('#/account', 'Account', r.screen === 'account')}
        </nav>
        <p class="usage" aria-live="polite" data-testid="usage">
          {u ? `${formatSize(u.bytes)} · ${u.files.toLocaleString()} ${u.files === 1 ? 'file' : 'files'}` : 'Measuring storage…'}
        </p>
        <span class="who">{me.username}</span>
      </header>
      <main class="content">
        {r.screen === 'files' ? <Files folder={r.folder} /> : null}
        {r.screen === 'account' ? <Account /> : null}
        {r.screen === 'site' ? <SiteScreen /> : null}
        {r.screen === 'profile' ? <ProfileScreen /> : null}
      </main>
      <UploadTray />
      <Overlays />
      {sessionLost.value ? <SessionLostDialog /> : null}
    </div>
  )
}
