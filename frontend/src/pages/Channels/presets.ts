import type { TFunction } from 'i18next'
import { PRESET_GROUPS, type Preset, type PresetGroup } from '../../api/types'
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

/** What the preset is, in a few words of the user's language. */
export function presetAbout(p: Preset, t: TFunction): string {
  return t(`presets.about.${p.id}`, { defaultValue: '' })
}

/**
 * The presets matching a search (name in either language, id, description,
 * base URL, models; case-insensitive), by group in display order; empty
 * groups are left out.
 */
export function searchPresets(query: string, t: TFunction): { group: PresetGroup; presets: Preset[] }[] {
  const q = query.trim().toLowerCase()
  const hit = (p: Preset) =>
    !q || [p.id, p.name, presetName(p, t), presetAbout(p, t), p.base_url, ...p.models].some((s) => s.toLowerCase().includes(q))
  return PRESET_GROUPS.map((group) => ({ group, presets: PRESETS.filter((p) => p.group === group && hit(p)) })).filter(
    (g) => g.presets.length > 0,
  )
}
