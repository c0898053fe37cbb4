import type { TFunction } from 'i18next'
import type { Preset } from '../../api/types'
// The one list of provider presets, shared with the CLI and the Go tests
// (backend/presets). Imported at build time, so the window works offline.
import presetsJSON from '../../../../backend/presets/presets.json'

export type { Preset }

export const PRESETS: readonly Preset[] = presetsJSON as Preset[]

export function presetByKey(key: string): Preset | undefined {
  return PRESETS.find((p) => p.id === key)
}

/** The preset's name in the user's language. */
export function presetName(p: Preset, t: TFunction): string {
  return p.name_key ? t(p.name_key) : p.name
}
