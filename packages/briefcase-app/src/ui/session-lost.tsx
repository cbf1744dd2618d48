/** When the session ends by itself, sign in again over the current view: the folder and the upload queue stay. */
import { useState } from 'preact/hooks'
import { user, whimsy } from '../state/session.js'
import { Field, Form } from './form.js'

export function SessionLostDialog() {
  const [password, setPassword] = useState('')
  const username = user.value?.username ?? ''
  return (
    <div class="scrim" role="dialog" aria-modal="true" aria-labelledby="lost-title">
      <div class="auth-card">
        <h2 id="lost-title">Your session ended</h2>
        <p>Sign in again to carry on where you were; nothing you were doing is lost.</p>
        <Form label="Sign in again" submit="Sign in" action={async () => void (await whimsy().auth.signIn({ username, password }))}>
          <Field label="Password" name="password-again" type="password" value={password} onInput={setPassword} autoComplete="current-password" autoFocus />
        </Form>
      </div>
    </div>
  )
}
