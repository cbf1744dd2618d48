/** Type icons (lucide, tree-shaken: only these are bundled). */
import { File, FileArchive, FileCode, FileImage, FileMusic, FilePlay, FileText, FileType, Folder, Globe } from 'lucide-preact'
import type { Kind } from '../format.js'

const ICONS: Record<Kind, typeof File> = {
  folder: Folder,
  image: FileImage,
  svg: FileImage,
  text: FileText,
  markdown: FileType,
  html: Globe,
  code: FileCode,
  audio: FileMusic,
  video: FilePlay,
  pdf: FileText,
  archive: FileArchive,
  file: File,
}

export function KindIcon({ kind }: { kind: Kind }) {
  const Icon = ICONS[kind]
  return (
    <span class={`icon kind-${kind}`} aria-hidden="true">
      <Icon size={20} strokeWidth={1.75} />
    </span>
  )
}
