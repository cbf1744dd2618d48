/**
 * S3's XML, read and written by hand (issue 12's size target). S3 answers the SDK with a
 * handful of flat shapes (a listing, a part list, an upload id, an error), and the browser's
 * DOMParser does not exist in Node, so a general XML library (tens of kB) would be mostly
 * unused weight. This reads elements, attributes (skipped), self-closing tags, text, CDATA and
 * the five named entities plus numeric character references; it does not read DTDs, which S3
 * never sends.
 */

export interface XmlElement {
  name: string
  children: XmlElement[]
  /** The element's own text (entities resolved), children's text excluded. */
  text: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Resolves `&amp;`-style entities and `&#…;` references; an unknown entity stays as written. */
export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref] ?? whole
    const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

/** Text for an XML body: the five characters XML gives meaning to, as entities. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${c === '&' ? 'amp' : c === '<' ? 'lt' : c === '>' ? 'gt' : c === '"' ? 'quot' : 'apos'};`)
}

/** The document's root element; throws a SyntaxError on markup it cannot read. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' }
  const stack: XmlElement[] = [root]
  let i = 0
  while (i < xml.length) {
    const open = xml.indexOf('<', i)
    const top = stack[stack.length - 1] as XmlElement
    if (open < 0) {
      top.text += unescapeXml(xml.slice(i))
      break
    }
    if (open > i) top.text += unescapeXml(xml.slice(i, open))
    if (xml.startsWith('<![CDATA[', open)) {
      const end = xml.indexOf(']]>', open)
      if (end < 0) throw new SyntaxError('Unterminated CDATA in XML')
      top.text += xml.slice(open + 9, end)
      i = end + 3
      continue
    }
    if (xml.startsWith('<!--', open)) {
      const end = xml.indexOf('-->', open)
      if (end < 0) throw new SyntaxError('Unterminated comment in XML')
      i = end + 3
      continue
    }
    const close = tagEnd(xml, open)
    const tag = xml.slice(open + 1, close)
    i = close + 1
    if (tag[0] === '?' || tag[0] === '!') continue // declaration, doctype
    if (tag[0] === '/') {
      const name = tag.slice(1).trim()
      const done = stack.pop()
      if (!done || done === root || done.name !== name) throw new SyntaxError(`Unexpected </${name}> in XML`)
      continue
    }
    const selfClosing = tag.endsWith('/')
    const name = /^[^\s/>]+/.exec(tag)?.[0]
    if (!name) throw new SyntaxError('An XML tag without a name')
    const element: XmlElement = { name, children: [], text: '' }
    top.children.push(element)
    if (!selfClosing) stack.push(element)
  }
  if (stack.length !== 1) throw new SyntaxError(`Unclosed <${stack[stack.length - 1]?.name}> in XML`)
  const [first] = root.children
  if (!first) throw new SyntaxError('An XML document without an element')
  return first
}

/** Where a tag ends: the first `>` outside quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote = ''
  for (let j = from + 1; j < xml.length; j++) {
    const c = xml[j]
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '>') return j
  }
  throw new SyntaxError('Unterminated tag in XML')
}

/** The first child named `name`. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name)
}

/** Every child named `name`, in order. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? []
}

/** The text of the first child named `name`, or undefined when there is none. */
export function textOf(element: XmlElement | undefined, name: string): string | undefined {
  return child(element, name)?.text
}

export function numberOf(element: XmlElement | undefined, name: string): number | undefined {
  const text = textOf(element, name)
  return text === undefined || text.trim() === '' ? undefined : Number(text)
}

export function booleanOf(element: XmlElement | undefined, name: string): boolean | undefined {
  const text = textOf(element, name)
  return text === undefined ? undefined : text.trim() === 'true'
}

export function dateOf(element: XmlElement | undefined, name: string): Date | undefined {
  const text = textOf(element, name)
  return text === undefined ? undefined : new Date(text.trim())
}
