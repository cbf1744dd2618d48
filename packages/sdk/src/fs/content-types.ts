/**
 * Content-Type from a file name: the rule the user-site handler serves by too, so a file's type
 * is the same on upload and on the site. Copied into `dist/` at build time with the handle rules
 * (scripts/build.ts), so the published SDK imports no unpublished package — a function here
 * rather than a re-export, so the declarations name no such package either.
 */
import { contentTypeFor as typeForName } from '@whimsy/sites/content-types'

export function contentTypeFor(path: string): string {
  return typeForName(path)
}
