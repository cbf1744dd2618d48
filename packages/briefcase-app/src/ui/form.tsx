/** Form building blocks: labelled fields and a submit that shows its error next to the form. */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export function Field(props: {
  label: string
  name: string
  type?: string
  value: string
  onInput: (v: string) => void
  autoComplete?: string
  hint?: ComponentChildren
  required?: boolean
  autoFocus?: boolean
}) {
  const id = `f-${props.name}`
  const input = useRef<HTMLInputElement>(null)
  // Focus on first render only (the autofocus attribute would refocus on every remount, and a lint rule rightly flags it).
  useEffect(() => {
    if (props.autoFocus) input.current?.focus()
  }, [])
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        required={props.required ?? true}
        ref={input}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  )
}

/** A form whose submit runs `action`, disables itself while it runs, and shows what failed. */
export function Form(props: { label: string; submit: string; action: () => Promise<void>; children: ComponentChildren; danger?: boolean }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  return (
    <form
      aria-label={props.label}
      onSubmit={async (e) => {
        e.preventDefault()
        setBusy(true)
        setError(undefined)
        try {
          await props.action()
        } catch (err) {
          setError(message(err))
        } finally {
          setBusy(false)
        }
      }}
    >
      {props.children}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
        {busy ? 'Working…' : props.submit}
      </button>
    </form>
  )
}
