/** Entry point: read config.json, restore the session, render. */
import { render } from 'preact'
import { loadConfig } from './config.js'
import { startSession } from './state/session.js'
import { App } from './ui/app.js'
import './styles.css'

const root = document.getElementById('app') as HTMLElement

loadConfig()
  .then(startSession)
  .then(() => {
    // Preact would diff against the boot message instead of replacing it.
    root.replaceChildren()
    render(<App />, root)
  })
  .catch((e: unknown) => {
    const p = document.createElement('p')
    p.className = 'boot error'
    p.setAttribute('role', 'alert')
    p.textContent = `My Briefcase could not start: ${e instanceof Error ? e.message : String(e)}`
    root.replaceChildren(p)
  })
