/** My site: the handle that names it (availability checked while typing) and where it lives. */
import { useEffect, useState } from 'preact/hooks'
import { openFolder } from '../state/route.js'
import { user, whimsy } from '../state/session.js'
import { Field, Form, message } from './form.js'

export function SiteScreen() {
  const current = user.value?.handle ?? whimsy().sites.handle
  const [name, setName] = useState(current ?? '')
  const [check, setCheck] = useState<{ for: string; available: boolean; reason?: string } | undefined>()
  const [done, setDone] = useState<string | undefined>()
  useEffect(() => {
    const wanted = name.trim().toLowerCase()
    if (!wanted || wanted === current) return setCheck(undefined)
    let live = true
    // Wait for a pause in typing: one request per name, not per keystroke.
    const t = setTimeout(() => {
      whimsy()
        .sites.isAvailable(wanted)
        .then((r) => live && setCheck({ for: wanted, ...r }))
        .catch((e) => live && setCheck({ for: wanted, available: false, reason: message(e) }))
    }, 250)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [name, current])
  const url = current ? whimsy().sites.url('/') : undefined
  return (
    <section class="page" aria-labelledby="site-title">
      <h1 id="site-title">My site</h1>
      <p>Everything in your public folder is your website, for anyone to visit.</p>
      <div class="cards">
        <div class="card">
          <h2>Address</h2>
          {url ? (
            <p>
              Your site is at{' '}
              <a class="url" href={url} target="_blank" rel="noopener noreferrer">
                {url}
              </a>
            </p>
          ) : (
            <p>Claim a handle to give your site its address.</p>
          )}
          <div class="row">
            {url ? (
              <a class="button primary" href={url} target="_blank" rel="noopener noreferrer">
                Open my site
              </a>
            ) : null}
            <button
              type="button"
              onClick={() =>
                whimsy()
                  .fs.mkdir('/public')
                  .catch(() => {})
                  .then(() => openFolder('/public'))
              }
            >
              Open the public folder
            </button>
          </div>
        </div>
        <div class="card">
          <h2>{current ? 'Change handle' : 'Claim a handle'}</h2>
          <Form
            label="Choose your handle"
            submit={current ? 'Change handle' : 'Claim handle'}
            action={async () => {
              const claimed = await whimsy().sites.claimHandle(name.trim().toLowerCase())
              setDone(claimed)
              setCheck(undefined)
            }}
          >
            <Field
              label="Handle"
              name="handle"
              value={name}
              onInput={setName}
              autoComplete="off"
              hint={
                <span aria-live="polite" data-testid="handle-check">
                  {check && check.for === name.trim().toLowerCase()
                    ? check.available
                      ? `${check.for} is available.`
                      : `${check.for} cannot be used: ${check.reason ?? 'it is taken.'}`
                    : 'Lowercase letters, digits and hyphens.'}
                </span>
              }
            />
          </Form>
          {done ? <output class="notice">Your site is now {done}.</output> : null}
        </div>
      </div>
    </section>
  )
}
