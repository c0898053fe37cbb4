import { useTranslation } from 'react-i18next'
import { Button } from '../../components/Button'

export function EmptyState({ onAdd }: { onAdd: () => void }) {
  const { t } = useTranslation()
  return (
    <div
      className="rounded-2xl border-2 border-dashed border-slate-300 px-6 py-14 text-center dark:border-slate-700"
      data-testid="channels-empty"
    >
      <div
        aria-hidden="true"
        className="mx-auto mb-4 grid size-12 place-items-center rounded-full bg-indigo-100 text-2xl text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300"
      >
        ⇄
      </div>
      <h3 className="text-base font-semibold">{t('channels.emptyTitle')}</h3>
      <p className="mx-auto mt-2 max-w-md text-sm text-slate-600 dark:text-slate-400">{t('channels.emptyBody')}</p>
      <Button variant="primary" className="mt-6" onClick={onAdd} data-testid="empty-add-channel">
        {t('channels.emptyAction')}
      </Button>
    </div>
  )
}
