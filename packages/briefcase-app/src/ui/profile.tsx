/** The public profile: edit it, and see it as a visitor will. */
import type { Profile, ProfileLink } from '@whimsy/sdk'
import { useEffect, useState } from 'preact/hooks'
import { kindOf } from '../format.js'
import { whimsy } from '../state/session.js'
import { Field, Form, message } from './form.js'

/** The avatar as the app may show it: public-folder files through the SDK (the CSP admits no other image host). */
function Avatar({ src, name }: { src?: string; name: string }) {
  const [url, setUrl] = useState<string | undefined>()
  useEffect(() => {
    setUrl(undefined)
    if (!src?.startsWith('/public/')) return
    let made: string | undefined
    whimsy()
      .fs.readBlob(src)
      .then((b) => {
        made = URL.createObjectURL(b)
        setUrl(made)
      })
      .catch(() => {})
    return () => made && URL.revokeObjectURL(made)
  }, [src])
  return url ? (
    <img class="avatar" src={url} alt={`${name}'s avatar`} />
  ) : (
    <div class="avatar placeholder" aria-hidden="true">
      {(name[0] ?? '?').toUpperCase()}
    </div>
  )
}

function VisitorView({ profile, fallback }: { profile: Profile; fallback: string }) {
  const name = profile.displayName || fallback
  return (
    <article class="visitor" aria-label="Your profile as visitors see it">
      <Avatar src={profile.avatar} name={name} />
      <h3>{name}</h3>
      {profile.bio ? <p class="bio">{profile.bio}</p> : null}
      <ul class="links">
        {(profile.links ?? []).map((l) => (
          <li key={l.url}>
            <a href={l.url} target="_blank" rel="noopener noreferrer nofollow">
              {l.title}
            </a>
          </li>
        ))}
      </ul>
    </article>
  )
}

export function ProfileScreen() {
  const [loaded, setLoaded] = useState(false)
  const [displayName, setDisplayName] = useState('')
  const [bio, setBio] = useState('')
  const [avatar, setAvatar] = useState('')
  const [links, setLinks] = useState<ProfileLink[]>([])
  const [images, setImages] = useState<string[]>([])
  const [saved, setSaved] = useState<Profile | undefined>()
  const [error, setError] = useState<string | undefined>()
  const username = whimsy().auth.user?.username ?? ''
  useEffect(() => {
    ;(async () => {
      const p = (await whimsy().profile.get()) ?? {}
      setDisplayName(p.displayName ?? '')
      setBio(p.bio ?? '')
      setAvatar(p.avatar ?? '')
      setLinks(p.links ?? [])
      setSaved(p)
      setLoaded(true)
      const found: string[] = []
      if (await whimsy().fs.exists('/public'))
        for await (const e of whimsy().fs.list('/public', { recursive: true })) if (kindOf(e) === 'image') found.push(e.path)
      setImages(found)
    })().catch((e) => setError(message(e)))
  }, [])
  if (!loaded)
    return (
      <section class="page">
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p>Loading your profile…</p>
        )}
      </section>
    )
  const draft: Profile = { displayName, bio, avatar, links }
  return (
    <section class="page" aria-labelledby="profile-title">
      <h1 id="profile-title">Profile</h1>
      <p>Your profile is public: apps and visitors see it beside your site.</p>
      <div class="cards">
        <div class="card">
          <h2>Edit</h2>
          <Form
            label="Profile"
            submit="Save profile"
            action={async () => {
              const clean: Profile = {}
              if (displayName.trim()) clean.displayName = displayName
              if (bio.trim()) clean.bio = bio
              if (avatar) clean.avatar = avatar
              const l = links.filter((x) => x.title.trim() || x.url.trim())
              if (l.length) clean.links = l
              setSaved(await whimsy().profile.set(clean))
            }}
          >
            <Field label="Display name" name="display-name" value={displayName} onInput={setDisplayName} required={false} autoComplete="nickname" />
            <div class="field">
              <label for="f-bio">Bio</label>
              <textarea id="f-bio" rows={4} value={bio} onInput={(e) => setBio((e.target as HTMLTextAreaElement).value)} />
            </div>
            <div class="field">
              <label for="f-avatar">Avatar (an image in your public folder)</label>
              <select id="f-avatar" value={avatar} onChange={(e) => setAvatar((e.target as HTMLSelectElement).value)}>
                <option value="">No avatar</option>
                {avatar && !images.includes(avatar) ? <option value={avatar}>{avatar}</option> : null}
                {images.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
              <label class="button small">
                Upload a picture…
                <input
                  type="file"
                  accept="image/*"
                  class="sr-only"
                  onChange={async (e) => {
                    const file = (e.target as HTMLInputElement).files?.[0]
                    if (!file) return
                    try {
                      const path = `/public/avatar-${Date.now()}.${file.name.split('.').pop() ?? 'png'}`
                      await whimsy().fs.upload(path, file)
                      setImages([...images, path])
                      setAvatar(path)
                    } catch (err) {
                      setError(message(err))
                    }
                  }}
                />
              </label>
            </div>
            <fieldset class="links-edit">
              <legend>Links</legend>
              {links.map((l, i) => (
                <div class="row" key={i}>
                  <input
                    aria-label={`Link ${i + 1} title`}
                    placeholder="Title"
                    value={l.title}
                    onInput={(e) => setLinks(links.map((x, j) => (j === i ? { ...x, title: (e.target as HTMLInputElement).value } : x)))}
                  />
                  <input
                    aria-label={`Link ${i + 1} address`}
                    placeholder="https://…"
                    type="url"
                    value={l.url}
                    onInput={(e) => setLinks(links.map((x, j) => (j === i ? { ...x, url: (e.target as HTMLInputElement).value } : x)))}
                  />
                  <button type="button" aria-label={`Remove link ${i + 1}`} onClick={() => setLinks(links.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                </div>
              ))}
              {links.length < 10 ? (
                <button type="button" onClick={() => setLinks([...links, { title: '', url: '' }])}>
                  Add a link
                </button>
              ) : null}
            </fieldset>
          </Form>
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <div class="card">
          <h2>As visitors see it</h2>
          <VisitorView profile={draft} fallback={username} />
          {saved !== undefined ? <p class="hint">Showing your edits; visitors see them once saved.</p> : null}
        </div>
      </div>
    </section>
  )
}
