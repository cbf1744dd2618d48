/**
 * Modal dialogs as promises (`await confirm(…)`), rendered in native <dialog> elements: the
 * browser traps focus, closes on Escape and restores focus, which a hand-made overlay would not.
 */
import { signal } from '@preact/signals'
import type { ComponentChildren, VNode } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

interface Open {
  id: number
  title: string
  render: (close: (value: unknown) => void) => VNode
  resolve: (value: unknown) => void
  wide?: boolean
}

const open = signal<Open[]>([])
let nextId = 1

export function openDialog<T>(title: string, render: (close: (value: T | undefined) => void) => VNode, wide = false): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    const id = nextId++
    open.value = [...open.value, { id, title, render: render as Open['render'], resolve: resolve as Open['resolve'], wide }]
  })
}

function Modal({ d }: { d: Open }) {
  const ref = useRef<HTMLDialogElement>(null)
  const close = (value: unknown) => {
    open.value = open.value.filter((o) => o.id !== d.id)
    d.resolve(value)
  }
  useEffect(() => {
    const el = ref.current
    if (el && !el.open) el.showModal()
  }, [])
  return (
    <dialog
      ref={ref}
      class={d.wide ? 'wide' : undefined}
      aria-labelledby={`dlg-${d.id}`}
      onCancel={(e) => {
        e.preventDefault()
        close(undefined)
      }}
    >
      <h2 id={`dlg-${d.id}`}>{d.title}</h2>
      {d.render(close)}
    </dialog>
  )
}

export function Overlays() {
  return (
    <>
      {open.value.map((d) => (
        <Modal key={d.id} d={d} />
      ))}
    </>
  )
}

export function Buttons(props: { children: ComponentChildren }) {
  return <div class="dialog-buttons">{props.children}</div>
}

export function confirmDialog(opts: { title: string; body: ComponentChildren; confirm: string; danger?: boolean }): Promise<boolean> {
  return openDialog<boolean>(opts.title, (close) => (
    <>
      <div class="dialog-body">{opts.body}</div>
      <Buttons>
        <button type="button" onClick={() => close(false)}>
          Cancel
        </button>
        <button type="button" class={opts.danger ? 'danger' : 'primary'} onClick={() => close(true)}>
          {opts.confirm}
        </button>
      </Buttons>
    </>
  )).then((v) => v === true)
}

function PromptBody(props: {
  label: string
  value: string
  submit: string
  check?: (v: string) => string | undefined
  close: (v: string | undefined) => void
}) {
  const [value, setValue] = useState(props.value)
  const [error, setError] = useState<string | undefined>()
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    const el = input.current
    if (!el) return
    el.focus()
    // Select the name without its extension, as file managers do.
    const dot = props.value.lastIndexOf('.')
    el.setSelectionRange(0, dot > 0 ? dot : props.value.length)
  }, [])
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        const problem = props.check?.(value)
        if (problem) setError(problem)
        else props.close(value)
      }}
    >
      <div class="field">
        <label for="prompt-input">{props.label}</label>
        <input id="prompt-input" ref={input} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <Buttons>
        <button type="button" onClick={() => props.close(undefined)}>
          Cancel
        </button>
        <button type="submit" class="primary">
          {props.submit}
        </button>
      </Buttons>
    </form>
  )
}

export function promptDialog(opts: {
  title: string
  label: string
  value?: string
  submit: string
  check?: (v: string) => string | undefined
}): Promise<string | undefined> {
  return openDialog<string>(opts.title, (close) => (
    <PromptBody label={opts.label} value={opts.value ?? ''} submit={opts.submit} check={opts.check} close={close} />
  ))
}

export function choiceDialog<T extends string>(opts: {
  title: string
  body: ComponentChildren
  choices: { id: T; label: string; primary?: boolean }[]
}): Promise<T | undefined> {
  return openDialog<T>(opts.title, (close) => (
    <>
      <div class="dialog-body">{opts.body}</div>
      <Buttons>
        <button type="button" onClick={() => close(undefined)}>
          Cancel
        </button>
        {opts.choices.map((c) => (
          <button key={c.id} type="button" class={c.primary ? 'primary' : undefined} onClick={() => close(c.id)}>
            {c.label}
          </button>
        ))}
      </Buttons>
    </>
  ))
}
