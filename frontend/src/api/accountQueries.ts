import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { accountsApi, type BalanceList } from './accounts'
import { channelsKey } from './queries'

export const balancesKey = ['balances'] as const
export const latencyKey = ['latency'] as const

/** Every channel's balance; refreshed every minute (the engine asks the providers every ten). */
export function useBalances() {
  return useQuery({ queryKey: balancesKey, queryFn: accountsApi.balances, refetchInterval: 60_000, retry: false })
}

/** Asks one channel's provider now and puts the answer in the list. */
export function useRefreshBalance() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => accountsApi.refreshBalance(id),
    onSuccess: (b) => {
      if (!b) return
      qc.setQueryData<BalanceList>(balancesKey, (old) =>
        old ? { ...old, balances: old.balances.map((x) => (x.channel_id === b.channel_id ? b : x)) } : old,
      )
      void qc.invalidateQueries({ queryKey: balancesKey })
      void qc.invalidateQueries({ queryKey: channelsKey })
    },
  })
}

/** Each channel's success rate and median time to first token over the last hour. */
export function useLatency(range = '1h') {
  return useQuery({ queryKey: [...latencyKey, range], queryFn: () => accountsApi.latency(range), refetchInterval: 30_000, retry: false })
}
