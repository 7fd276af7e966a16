// Loads data for a view and reloads it whenever the backend reports a change
// ("structure:changed"), so every open view of the app stays current.
import { useCallback, useEffect, useRef, useState } from 'react'
import { onStructureChanged } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'

export interface Loaded<T> {
  data: T | undefined
  error: AppError | undefined
  loading: boolean
  reload: () => Promise<void>
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<AppError>()
  const [loading, setLoading] = useState(true)
  const seq = useRef(0)
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const loader = useCallback(load, deps)

  const reload = useCallback(async () => {
    const n = ++seq.current
    setLoading(true)
    try {
      const v = await loader()
      if (n === seq.current) {
        setData(v)
        setError(undefined)
      }
    } catch (e) {
      if (n === seq.current) setError(toAppError(e))
    } finally {
      if (n === seq.current) setLoading(false)
    }
  }, [loader])

  useEffect(() => {
    void reload()
  }, [reload])

  useEffect(() => onStructureChanged(() => void reload()), [reload])

  return { data, error, loading, reload }
}
