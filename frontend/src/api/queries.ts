import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Channel, type ChannelPatch, type NewChannel } from './client'

export const channelsKey = ['channels'] as const
export const healthKey = ['health'] as const

export function useHealth() {
  return useQuery({ queryKey: healthKey, queryFn: api.health, staleTime: 60_000 })
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
        old?.map((c) => (c.id === updated.id ? updated : c)),
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
