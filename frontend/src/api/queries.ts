import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError, api, type ApiKey, type Channel, type ChannelPatch, type KeyInput, type NewChannel } from './client'
import type { Routes, SecretName, Settings, StatsRange } from './types'

export const channelsKey = ['channels'] as const
export const healthKey = ['health'] as const
export const routesKey = ['routes'] as const
export const settingsKey = ['settings'] as const
export const statsKey = ['stats'] as const
export const logsKey = ['logs'] as const
export const keysKey = ['keys'] as const
export const activeKey = ['active'] as const
export const clientsKey = ['clients'] as const
export const infoKey = ['info'] as const
export const backupsKey = ['backups'] as const

/** True when the engine lacks that endpoint (404/405/501) or it is not wired in this process (503 unavailable). */
export function isMissing(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501 || (err.status === 503 && err.type === 'unavailable'))
}

export function useHealth() {
  return useQuery({ queryKey: healthKey, queryFn: api.health, staleTime: 60_000 })
}

export function useInfo() {
  return useQuery({ queryKey: infoKey, queryFn: api.info, staleTime: 60_000 })
}

/** The active provider: the first target of the default route. */
export function useActive() {
  return useQuery({ queryKey: activeKey, queryFn: api.active, retry: false })
}

/** Switches the active provider; routes, channels and the active provider are read again. */
export function useSetActive() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ channelId, model }: { channelId: number; model: string }) => api.setActive(channelId, model),
    onSuccess: (a) => {
      qc.setQueryData(activeKey, a)
      void qc.invalidateQueries({ queryKey: activeKey })
      void qc.invalidateQueries({ queryKey: routesKey })
    },
  })
}

/** Copies a channel on the server, keys included (the window never sees them). */
export function useDuplicateChannel() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => api.duplicateChannel(id),
    onSuccess: (created) => {
      qc.setQueryData<Channel[]>(channelsKey, (old) => (old ? [...old, created] : [created]))
      void qc.invalidateQueries({ queryKey: channelsKey })
    },
  })
}

export function useBackups() {
  return useQuery({ queryKey: backupsKey, queryFn: api.backups, retry: false })
}

export function useChannels() {
  return useQuery({ queryKey: channelsKey, queryFn: api.listChannels })
}

export function useCreateChannel() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (c: NewChannel) => api.createChannel(c),
    onSuccess: (created) => {
      qc.setQueryData<Channel[]>(channelsKey, (old) => (old ? [...old, created] : [created]))
      void qc.invalidateQueries({ queryKey: channelsKey })
    },
  })
}

export function useUpdateChannel() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: ChannelPatch }) => api.updateChannel(id, patch),
    onSuccess: (updated) => {
      qc.setQueryData<Channel[]>(channelsKey, (old) =>
        old?.map((c) => (c.id === updated.id ? { ...c, ...updated } : c)),
      )
    },
  })
}

export function useDeleteChannel() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => api.deleteChannel(id),
    onSuccess: (_, id) => {
      qc.setQueryData<Channel[]>(channelsKey, (old) => old?.filter((c) => c.id !== id))
      void qc.invalidateQueries({ queryKey: channelsKey })
    },
  })
}

/** Saves a new priority order; the list shows it at once and rolls back on failure. */
export function useOrderChannels() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (ids: number[]) => api.orderChannels(ids),
    onMutate: async (ids) => {
      await qc.cancelQueries({ queryKey: channelsKey })
      const before = qc.getQueryData<Channel[]>(channelsKey)
      qc.setQueryData<Channel[]>(channelsKey, (old) =>
        old?.map((c) => (ids.includes(c.id) ? { ...c, priority: ids.indexOf(c.id) + 1 } : c)),
      )
      return { before }
    },
    onError: (_e, _ids, ctx) => qc.setQueryData(channelsKey, ctx?.before),
    onSettled: () => void qc.invalidateQueries({ queryKey: channelsKey }),
  })
}

export function useRoutes() {
  return useQuery({ queryKey: routesKey, queryFn: api.getRoutes })
}

export function useSaveRoutes() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (r: Routes) => api.putRoutes(r),
    onSuccess: (saved) => {
      if (saved && typeof saved === 'object' && 'routes' in saved) qc.setQueryData(routesKey, saved)
      void qc.invalidateQueries({ queryKey: routesKey })
    },
  })
}

export function useSummary(range: StatsRange) {
  return useQuery({ queryKey: [...statsKey, 'summary', range], queryFn: () => api.summary(range), placeholderData: keepPreviousData })
}

export function useTimeline(range: StatsRange, bucket: string) {
  return useQuery({
    queryKey: [...statsKey, 'timeline', range, bucket],
    queryFn: async () => (await api.timeline(range, bucket)).buckets ?? [],
    placeholderData: keepPreviousData,
  })
}

export function useChannelStats(range: StatsRange) {
  return useQuery({
    queryKey: [...statsKey, 'channels', range],
    queryFn: async () => (await api.channelStats(range)).channels ?? [],
    placeholderData: keepPreviousData,
  })
}

export function useRecentLogs(limit: number) {
  return useQuery({
    queryKey: [...logsKey, 'recent', limit],
    queryFn: async () => (await api.logs(`?limit=${limit}`)).logs ?? [],
    retry: false,
  })
}

export function useLog(id: number | null) {
  return useQuery({ queryKey: [...logsKey, 'one', id], queryFn: () => api.log(id ?? 0), enabled: id !== null })
}

export function useClients() {
  return useQuery({ queryKey: clientsKey, queryFn: api.clients, retry: false })
}

export function useSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: api.settings, retry: false })
}

export function useSaveSettings() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (patch: Partial<Settings>) => api.putSettings(patch),
    onSuccess: (saved) => {
      if (saved && typeof saved === 'object') qc.setQueryData(settingsKey, saved)
      void qc.invalidateQueries({ queryKey: settingsKey })
    },
  })
}

export function useSecretAction(kind: 'reveal' | 'regenerate') {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (which: SecretName) => (kind === 'reveal' ? api.reveal(which) : api.regenerate(which)),
    onSuccess: () => {
      if (kind === 'regenerate') void qc.invalidateQueries({ queryKey: settingsKey })
    },
  })
}

/** The keys per person with their usage; refreshed every 10 s while shown, since usage moves. */
export function useKeys() {
  return useQuery({ queryKey: keysKey, queryFn: api.listKeys, refetchInterval: 10_000 })
}

export function useCreateKey() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (k: KeyInput) => api.createKey(k),
    onSuccess: (created) => {
      // The list never holds the secret: only the answer to the creation does.
      const listed: ApiKey = { ...created }
      delete listed.key
      qc.setQueryData<ApiKey[]>(keysKey, (old) => (old ? [...old, listed] : [listed]))
      void qc.invalidateQueries({ queryKey: keysKey })
    },
  })
}

export function useUpdateKey() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: KeyInput }) => api.updateKey(id, patch),
    onSuccess: (updated) => qc.setQueryData<ApiKey[]>(keysKey, (old) => old?.map((k) => (k.id === updated.id ? updated : k))),
  })
}

export function useRevokeKey() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => api.revokeKey(id),
    onSuccess: (revoked) => qc.setQueryData<ApiKey[]>(keysKey, (old) => old?.map((k) => (k.id === revoked.id ? revoked : k))),
  })
}
