// Money and plan amounts as balances report them. Pure: the locale is a
// parameter so tests pin it.

/**
 * An amount followed by its unit, as the tray and the CLI write it:
 * "110.00 CNY", "3.50 USD" (currency codes get two decimals, never a
 * symbol: ¥ would not tell yuan from yen), "1,200 credits".
 */
export function formatAmount(value: number | null | undefined, unit: string, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  const currency = /^[A-Z]{3}$/.test(unit)
  const digits = currency || Math.abs(value) < 100 ? 2 : 0
  const n = new Intl.NumberFormat(locale, { minimumFractionDigits: currency ? 2 : 0, maximumFractionDigits: digits }).format(value)
  return unit ? `${n} ${unit}` : n
}
