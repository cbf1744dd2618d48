/** Account settings: change password, sign out (this device / everywhere), delete the account. */
import { useState } from 'preact/hooks'
import { formatSize } from '../format.js'
import { go } from '../state/route.js'
import { user, whimsy } from '../state/session.js'
import { usage } from '../state/usage.js'
import { Field, Form } from './form.js'

export function Account() {
  const [oldPassword, setOld] = useState('')
  const [newPassword, setNew] = useState('')
  const [changed, setChanged] = useState(false)
  const [confirmName, setConfirmName] = useState('')
  const [password, setPassword] = useState('')
  const me = user.value
  if (!me) return null
  const u = usage.value
  return (
    <section class="page" aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <p>
        Signed in as <strong>{me.username}</strong>
        {me.email ? ` (${me.email})` : ''}.
      </p>
      <div class="cards">
        <div class="card">
          <h2>Change password</h2>
          <Form
            label="Change password"
            submit="Change password"
            action={async () => {
              await whimsy().auth.changePassword({ oldPassword, newPassword })
              setOld('')
              setNew('')
              setChanged(true)
            }}
          >
            <Field label="Current password" name="old-password" type="password" value={oldPassword} onInput={setOld} autoComplete="current-password" />
            <Field label="New password" name="new-password" type="password" value={newPassword} onInput={setNew} autoComplete="new-password" />
          </Form>
          {changed ? <output class="notice">Your password is changed.</output> : null}
        </div>
        <div class="card">
          <h2>Sign out</h2>
          <p>Signing out everywhere ends your sessions on every device, this one included.</p>
          <div class="row">
            <button
              type="button"
              onClick={() =>
                whimsy()
                  .auth.signOut()
                  .then(() => go('#/signin'))
              }
            >
              Sign out on this device
            </button>
            <button
              type="button"
              onClick={() =>
                whimsy()
                  .auth.signOut({ everywhere: true })
                  .then(() => go('#/signin'))
              }
            >
              Sign out everywhere
            </button>
          </div>
        </div>
        <div class="card danger-zone">
          <h2>Delete account</h2>
          <p>
            This deletes everything, for good: {u ? `${u.files.toLocaleString()} files (${formatSize(u.bytes)}), ` : 'all your files, '}
            your website and its handle{me.handle ? ` (${me.handle})` : ''}, your profile, and the data apps keep for you. It cannot be undone.
          </p>
          <Form
            label="Delete account"
            submit="Delete my account"
            danger
            action={async () => {
              if (confirmName !== me.username) throw new Error(`Type your username, ${me.username}, to confirm.`)
              await whimsy().auth.deleteAccount({ password })
              go('#/signup')
            }}
          >
            <Field
              label={`Type your username (${me.username}) to confirm`}
              name="confirm-username"
              value={confirmName}
              onInput={setConfirmName}
              autoComplete="off"
            />
            <Field label="Password" name="delete-password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
          </Form>
        </div>
      </div>
    </section>
  )
}
