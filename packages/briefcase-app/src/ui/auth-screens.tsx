/** Signed-out screens: sign in, sign up, confirm the code, reset a forgotten password. */
import { signal } from '@preact/signals'
import { useState } from 'preact/hooks'
import { go } from '../state/route.js'
import { mailbox, whimsy } from '../state/session.js'
import { Field, Form } from './form.js'

/** The name typed on one screen carries to the next (sign up → confirm → sign in). */
const pendingUser = signal('')
const notice = signal<string | undefined>(undefined)

function Shell(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <main class="auth">
      <div class="auth-card">
        <div class="brand-big" aria-hidden="true">
          <span class="logo">◆</span> My Briefcase
        </div>
        <h1>{props.title}</h1>
        {notice.value ? <output class="notice">{notice.value}</output> : null}
        {props.children}
      </div>
    </main>
  )
}

function MailboxLink() {
  return mailbox.value ? (
    <p class="hint">
      Running locally: no e-mail is sent.{' '}
      <a href={`${mailbox.value}?username=${encodeURIComponent(pendingUser.value)}`} target="_blank" rel="noopener noreferrer">
        Open the local mailbox
      </a>{' '}
      to read your code.
    </p>
  ) : null
}

export function SignIn() {
  const [username, setUsername] = useState(pendingUser.value)
  const [password, setPassword] = useState('')
  return (
    <Shell title="Sign in">
      <Form
        label="Sign in"
        submit="Sign in"
        action={async () => {
          try {
            await whimsy().auth.signIn({ username, password })
          } catch (e) {
            if (e instanceof Error && 'code' in e && e.code === 'NotConfirmed') {
              pendingUser.value = username
              notice.value = 'Your account is not confirmed yet: enter the code we sent you.'
              go('#/confirm')
              return
            }
            throw e
          }
          notice.value = undefined
          go('#/files')
        }}
      >
        <Field label="Username" name="username" value={username} onInput={setUsername} autoComplete="username" autoFocus />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
      </Form>
      <p class="alt">
        <a href="#/reset">Forgot your password?</a> · New here? <a href="#/signup">Create an account</a>
      </p>
    </Shell>
  )
}

export function SignUp() {
  const [username, setUsername] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const policy = whimsy().config.passwordPolicy
  return (
    <Shell title="Create your Briefcase">
      <Form
        label="Sign up"
        submit="Create account"
        action={async () => {
          await whimsy().auth.signUp({ username, email, password })
          pendingUser.value = username
          notice.value = `We sent a confirmation code to ${email}.`
          go('#/confirm')
        }}
      >
        <Field label="Username" name="username" value={username} onInput={setUsername} autoComplete="username" autoFocus />
        <Field label="E-mail" name="email" type="email" value={email} onInput={setEmail} autoComplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="new-password"
          hint={policy ? `At least ${policy.minimumLength} characters.` : undefined}
        />
      </Form>
      <p class="alt">
        Already have an account? <a href="#/signin">Sign in</a>
      </p>
    </Shell>
  )
}

export function Confirm() {
  const [username, setUsername] = useState(pendingUser.value)
  const [code, setCode] = useState('')
  return (
    <Shell title="Confirm your account">
      <Form
        label="Confirm"
        submit="Confirm"
        action={async () => {
          await whimsy().auth.confirmSignUp({ username, code: code.trim() })
          pendingUser.value = username
          notice.value = 'Your account is confirmed. Sign in to open your Briefcase.'
          go('#/signin')
        }}
      >
        <Field
          label="Username"
          name="username"
          value={username}
          onInput={(v) => {
            setUsername(v)
            pendingUser.value = v
          }}
          autoComplete="username"
        />
        <Field label="Confirmation code" name="code" value={code} onInput={setCode} autoComplete="one-time-code" autoFocus />
      </Form>
      <MailboxLink />
      <p class="alt">
        <button
          type="button"
          class="link"
          onClick={async () => {
            try {
              await whimsy().auth.resendCode({ username })
              notice.value = 'A new code is on its way.'
            } catch (e) {
              notice.value = e instanceof Error ? e.message : String(e)
            }
          }}
        >
          Send a new code
        </button>{' '}
        · <a href="#/signin">Back to sign in</a>
      </p>
    </Shell>
  )
}

export function Reset() {
  const [username, setUsername] = useState(pendingUser.value)
  const [sent, setSent] = useState(false)
  const [code, setCode] = useState('')
  const [password, setPassword] = useState('')
  return (
    <Shell title="Reset your password">
      {!sent ? (
        <Form
          label="Request a reset code"
          submit="Send me a code"
          action={async () => {
            await whimsy().auth.forgotPassword({ username })
            pendingUser.value = username
            setSent(true)
          }}
        >
          <Field label="Username" name="username" value={username} onInput={setUsername} autoComplete="username" autoFocus />
        </Form>
      ) : (
        <>
          <Form
            label="Choose a new password"
            submit="Set new password"
            action={async () => {
              await whimsy().auth.confirmNewPassword({ username, code: code.trim(), password })
              notice.value = 'Your password is changed. Sign in with the new one.'
              go('#/signin')
            }}
          >
            <Field label="Code" name="code" value={code} onInput={setCode} autoComplete="one-time-code" autoFocus />
            <Field label="New password" name="password" type="password" value={password} onInput={setPassword} autoComplete="new-password" />
          </Form>
          <MailboxLink />
        </>
      )}
      <p class="alt">
        <a href="#/signin">Back to sign in</a>
      </p>
    </Shell>
  )
}
