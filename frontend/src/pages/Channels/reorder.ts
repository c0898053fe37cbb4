/** Moves the item at from to index to; returns a new array (the input is untouched). */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list]
  if (from < 0 || from >= out.length) return out
  const clamped = Math.max(0, Math.min(out.length - 1, to))
  const [item] = out.splice(from, 1)
  if (item !== undefined) out.splice(clamped, 0, item)
  return out
}

/**
 * The index a dragged row lands on: the number of other rows whose middle
 * lies above the pointer. mids are the vertical centres of the rows in order.
 */
export function dropIndex(mids: readonly number[], from: number, y: number): number {
  let n = 0
  mids.forEach((m, i) => {
    if (i !== from && y > m) n++
  })
  return n
}

/** Channels in display order: priority, then id. */
export function byPriority<T extends { priority: number; id: number }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => a.priority - b.priority || a.id - b.id)
}
