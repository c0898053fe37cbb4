import { useRef, useState, type PointerEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useOrderChannels } from '../../api/queries'
import { useActiveView } from '../../components/ActiveProvider'
import { ChannelRow, type RowSlots, type TestState } from './ChannelRow'
import { byPriority, dropIndex, move } from './reorder'

interface Props {
  channels: Channel[]
  now: number
  tests: Record<number, TestState | undefined>
  onTest: (c: Channel) => void
  onEdit: (c: Channel) => void
  onDuplicate: (c: Channel) => void
  slots?: RowSlots
}

/** The channels in priority order; rows drag (pointer) or move (arrow keys) to reorder. */
export function ChannelList({ channels, now, tests, onTest, onEdit, onDuplicate, slots }: Props) {
  const { t } = useTranslation()
  const order = useOrderChannels()
  const active = useActiveView()
  const list = useRef<HTMLUListElement>(null)
  const sorted = byPriority(channels)
  const [drag, setDrag] = useState<{ id: number; from: number; to: number } | null>(null)
  const shown = drag ? move(sorted, drag.from, drag.to) : sorted

  const commit = (ids: number[]) => {
    if (ids.join() !== sorted.map((c) => c.id).join()) order.mutate(ids)
  }

  const startDrag = (index: number) => (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return
    e.preventDefault()
    const rows = list.current ? [...list.current.querySelectorAll<HTMLElement>('li[data-testid="channel-row"]')] : []
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

  return (
    <div className="space-y-2">
      {order.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="order-error">
          {t('channels.orderFailed', { message: errorMessage(t, order.error) })}
        </p>
      )}
      <div aria-hidden="true" className="hidden px-3 text-xs font-medium tracking-wide text-slate-600 uppercase min-[1000px]:grid min-[1000px]:grid-cols-[minmax(0,1fr)_10.5rem_11rem_8.5rem] min-[1000px]:gap-4 dark:text-slate-400">
        <span className="pl-8">{t('channels.columns.name')}</span>
        <span>{t('channels.columns.health')}</span>
        <span>{t('channels.columns.provider')}</span>
        <span className="text-right">{t('channels.columns.actions')}</span>
      </div>
      <ul ref={list} className="space-y-2" data-testid="channel-table" aria-label={t('channels.title')}>
        {shown.map((c, i) => (
          <ChannelRow
            key={c.id}
            channel={c}
            now={now}
            test={tests[c.id]}
            dragging={drag?.id === c.id}
            active={active.channel?.id === c.id}
            activeModel={active.channel?.id === c.id ? active.model : ''}
            onTest={() => onTest(c)}
            onEdit={() => onEdit(c)}
            onDuplicate={() => onDuplicate(c)}
            onDragStart={startDrag(i)}
            onKeyMove={(d) => commit(move(sorted, i, i + d).map((x) => x.id))}
            slots={slots}
          />
        ))}
      </ul>
      <p className="text-xs text-slate-600 dark:text-slate-400">{t('channels.dragHint')}</p>
    </div>
  )
}
