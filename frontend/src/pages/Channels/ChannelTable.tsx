import { useRef, useState, type PointerEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useOrderChannels } from '../../api/queries'
import { ChannelRow, type TestState } from './ChannelRow'
import { byPriority, dropIndex, move } from './reorder'

interface Props {
  channels: Channel[]
  now: number
  tests: Record<number, TestState | undefined>
  onTest: (c: Channel) => void
  onEdit: (c: Channel) => void
  onDuplicate: (c: Channel) => void
}

/** The channels in priority order; rows drag (pointer) or move (arrow keys) to reorder. */
export function ChannelTable({ channels, now, tests, onTest, onEdit, onDuplicate }: Props) {
  const { t } = useTranslation()
  const order = useOrderChannels()
  const body = useRef<HTMLTableSectionElement>(null)
  const sorted = byPriority(channels)
  const [drag, setDrag] = useState<{ id: number; from: number; to: number } | null>(null)
  const shown = drag ? move(sorted, drag.from, drag.to) : sorted

  const commit = (ids: number[]) => {
    if (ids.join() !== sorted.map((c) => c.id).join()) order.mutate(ids)
  }

  const startDrag = (index: number) => (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return
    e.preventDefault()
    const rows = body.current ? [...body.current.querySelectorAll<HTMLElement>('tr[data-testid="channel-row"]')] : []
    const mids = rows.map((r) => {
      const b = r.getBoundingClientRect()
      return b.top + b.height / 2
    })
    const id = sorted[index]?.id ?? 0
    let to = index
    setDrag({ id, from: index, to })
    const onMove = (ev: globalThis.PointerEvent) => {
      to = dropIndex(mids, index, ev.clientY)
      setDrag({ id, from: index, to })
    }
    const onUp = () => {
      window.removeEventListener('pointermove', onMove)
      window.removeEventListener('pointerup', onUp)
      window.removeEventListener('pointercancel', onUp)
      setDrag(null)
      commit(move(sorted, index, to).map((c) => c.id))
    }
    window.addEventListener('pointermove', onMove)
    window.addEventListener('pointerup', onUp)
    window.addEventListener('pointercancel', onUp)
  }

  const th = 'px-3 py-2.5 whitespace-nowrap text-left text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400'
  return (
    <div className="space-y-2">
      {order.error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="order-error">
          {t('channels.orderFailed', { message: errorMessage(t, order.error) })}
        </p>
      )}
      <div className="overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800" data-testid="channel-table">
          <thead className="bg-slate-50/60 dark:bg-slate-900">
            <tr>
              <th scope="col" className={th + ' w-8'}><span className="sr-only">{t('channels.columns.order')}</span></th>
              <th scope="col" className={th}>{t('channels.columns.name')}</th>
              <th scope="col" className={th}>{t('channels.columns.models')}</th>
              <th scope="col" className={th}>{t('channels.columns.health')}</th>
              <th scope="col" className={th + ' text-center'}>{t('channels.columns.priority')}</th>
              <th scope="col" className={th}>{t('channels.columns.enabled')}</th>
              <th scope="col" className={th + ' text-right'}>{t('channels.columns.actions')}</th>
            </tr>
          </thead>
          <tbody ref={body} className="divide-y divide-slate-100 dark:divide-slate-800">
            {shown.map((c, i) => (
              <ChannelRow
                key={c.id}
                channel={c}
                now={now}
                test={tests[c.id]}
                dragging={drag?.id === c.id}
                onTest={() => onTest(c)}
                onEdit={() => onEdit(c)}
                onDuplicate={() => onDuplicate(c)}
                onDragStart={startDrag(i)}
                onKeyMove={(d) => commit(move(sorted, i, i + d).map((x) => x.id))}
              />
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">{t('channels.dragHint')}</p>
    </div>
  )
}
