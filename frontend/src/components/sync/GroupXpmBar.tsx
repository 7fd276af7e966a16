// The XPM strip on a group's page: which XPM client group it is linked to and
// when it was last pulled, with "Pull now" and "Unlink"; or, for a group with
// no link, "Export to XPM…" and a way to link it from Import groups.
import { useCallback, useEffect, useState } from 'react'
import { CloudDownload, CloudUpload, Link2, Unlink } from 'lucide-react'
import ExportGroupDialog from './ExportGroupDialog'
import PullStartDialog from './PullStartDialog'
import UnlinkDialog from './UnlinkDialog'
import { useToast } from '../Toasts'
import { onConnectionChanged, onXpmGroupsChanged, syncApi, type GroupList, type XPMGroupRow } from '../../bridge/sync'
import { navigate } from '../../lib/router'
import { whenPhrase } from './syncFormat'

export interface GroupXpmBarProps {
  groupId: number
  groupName: string
  linked: boolean
  /** The group changed (linked, unlinked). */
  onChanged: () => void
}

type Open = 'pull' | 'unlink' | 'export' | undefined

export default function GroupXpmBar({ groupId, groupName, linked, onChanged }: GroupXpmBarProps) {
  const [list, setList] = useState<GroupList>()
  const [open, setOpen] = useState<Open>()
  const toast = useToast()

  const load = useCallback(() => {
    syncApi.listXPMGroups({ query: '', status: 'linked', sort: 'name', desc: false }).then(setList, () => setList(undefined))
  }, [])

  useEffect(() => {
    load()
    const offs = [onXpmGroupsChanged(load), onConnectionChanged(load)]
    return () => offs.forEach((off) => off())
  }, [load, linked])

  const row: XPMGroupRow | undefined = list?.groups.find((g) => g.link?.localGroupId === groupId)
  const readOnly = !!list?.connection.readOnly
  const why = readOnly ? list?.connection.message : undefined
  const close = () => setOpen(undefined)

  return (
    <div className={`xpm-bar${linked ? ' xpm-bar-linked' : ''}`} data-testid="group-xpm-bar">
      <div className="xpm-bar-text">
        {linked ? (
          <>
            <Link2 size={15} aria-hidden />
            <span data-testid="group-xpm-status">
              XPM: linked to {row ? `“${row.name}”` : 'a client group'}
              {row?.deletedInXpm ? ' (deleted in XPM)' : ''}
            </span>
            <span className="muted">
              · {row?.link?.lastPulledAt ? `last pulled ${whenPhrase(row.link.lastPulledAt)}` : 'never pulled'}
            </span>
          </>
        ) : (
          <>
            <span data-testid="group-xpm-status">XPM: not linked</span>
            <span className="muted">· Export it to create a client group in XPM, or link it to one from Import groups.</span>
          </>
        )}
      </div>
      <div className="xpm-bar-actions">
        {linked ? (
          <>
            <button type="button" className="button button-primary button-sm" onClick={() => setOpen('pull')} disabled={readOnly || row?.deletedInXpm}
              title={why} data-testid="group-pull-now">
              <CloudDownload size={14} aria-hidden /> Pull now
            </button>
            <button type="button" className="button button-ghost button-sm" onClick={() => setOpen('unlink')}>
              <Unlink size={14} aria-hidden /> Unlink
            </button>
          </>
        ) : (
          <>
            <a className="button button-ghost button-sm" href="#/sync">Link from Import groups</a>
            <button type="button" className="button button-secondary button-sm" onClick={() => setOpen('export')} disabled={readOnly} title={why}>
              <CloudUpload size={14} aria-hidden /> Export to XPM…
            </button>
          </>
        )}
      </div>

      {open === 'pull' && (
        <PullStartDialog request={{ localGroupIds: [groupId] }} onClose={close}
          onStarted={(p) => { close(); navigate({ name: 'pull', id: p.id }) }}
          onOpenPull={(id) => { close(); navigate({ name: 'pull', id }) }} />
      )}
      {open === 'unlink' && (
        <UnlinkDialog localGroupId={groupId} name={groupName} onClose={close}
          onUnlinked={(r) => { close(); toast(r.message); onChanged() }} />
      )}
      {open === 'export' && (
        <ExportGroupDialog groupId={groupId} groupName={groupName} onClose={close}
          onExported={(r) => { close(); toast(r.warning ? `${r.message} ${r.warning}` : r.message); onChanged() }}
          onLinked={(r) => { close(); toast(r.message); onChanged() }} />
      )}
    </div>
  )
}
