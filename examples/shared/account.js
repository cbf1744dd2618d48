// The sign-in box every example shows: sign in, or sign up and confirm with the e-mailed code
// (locally: the mailbox), claim a handle for a site, sign out. Shared so that each example's own
// code is about what it demonstrates; a real app would style its own.
import { describeError } from './whimsy.js'

const FORM = `
  <form id="sign-in">
    <input id="account-username" name="username" placeholder="user name" autocomplete="username" required>
    <input id="account-email" name="email" type="email" placeholder="e-mail (new accounts)" autocomplete="email">
    <input id="account-password" name="password" type="password" placeholder="password" autocomplete="current-password" required>
    <button id="account-sign-in">Sign in</button>
    <button id="account-sign-up" type="button">Create account</button>
  </form>
  <form id="confirm" hidden>
    <input id="account-code" name="code" placeholder="code from the e-mail" required autocomplete="one-time-code">
    <button id="account-confirm">Confirm</button>
  </form>`
const SIGNED_IN = `
  <span id="account-user"></span>
  <form id="claim" hidden><input id="account-handle" placeholder="handle for your site" required><button id="account-claim">Claim</button></form>
  <button id="account-sign-out" type="button">Sign out</button>`

/**
 * Renders the account box into `root` and calls `onUser(user)` whenever the user changes
 * (sign-in, restored session, sign-out, a new handle).
 */
export function mountAccount(root, whimsy, onUser) {
  const status = Object.assign(document.createElement('p'), { id: 'account-status', role: 'status' })
  const box = document.createElement('div')
  root.replaceChildren(box, status)
  const say = (text) => {
    status.textContent = text
  }
  const attempt = async (what) => {
    say('')
    try {
      await what()
    } catch (e) {
      say(describeError(e))
    }
  }

  function render(user) {
    if (!user) {
      box.innerHTML = FORM
      const signIn = box.querySelector('#sign-in')
      const confirm = box.querySelector('#confirm')
      const field = (name) => signIn.elements[name].value
      signIn.onsubmit = (event) => {
        event.preventDefault()
        attempt(() => whimsy.auth.signIn({ username: field('username'), password: field('password') }))
      }
      box.querySelector('#account-sign-up').onclick = () =>
        attempt(async () => {
          await whimsy.auth.signUp({ username: field('username'), email: field('email'), password: field('password') })
          confirm.hidden = false
          say('We sent a code to your e-mail (locally: the mailbox). Enter it to finish.')
        })
      confirm.onsubmit = (event) => {
        event.preventDefault()
        attempt(async () => {
          await whimsy.auth.confirmSignUp({ username: field('username'), code: confirm.elements.code.value.trim() })
          await whimsy.auth.signIn({ username: field('username'), password: field('password') })
        })
      }
      return
    }
    box.innerHTML = SIGNED_IN
    box.querySelector('#account-user').textContent = `Signed in as ${user.username}${user.handle ? ` · site: ${whimsy.sites.url('/')}` : ''}`
    const claim = box.querySelector('#claim')
    claim.hidden = Boolean(user.handle)
    claim.onsubmit = (event) => {
      event.preventDefault()
      attempt(() => whimsy.sites.claimHandle(claim.querySelector('input').value))
    }
    box.querySelector('#account-sign-out').onclick = () => attempt(() => whimsy.auth.signOut())
  }

  whimsy.auth.onChange((user) => {
    render(user)
    onUser(user)
  })
  render(whimsy.auth.user)
  onUser(whimsy.auth.user)
}
