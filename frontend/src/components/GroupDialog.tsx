// Create or edit a group: a name and notes. The backend validates; its
// messages show under the inputs and the dialog keeps what was typed.
import { useState } from 'react'
import Dialog from './Dialog'
import Field from './Field'
import ErrorBanner from './ErrorBanner'
import { api, type Group } from '../bridge/api'
import { AppError, toAppError } from '../bridge/errors'
import { unshownError } from '../lib/errors'

export default function GroupDialog({
  group,
  onClose,
  onSaved,
}: {
  group?: Pick<Group, 'id' | 'name' | 'notes'>
  onClose: () => void
  onSaved: (g: Group) => void
}) {
  const [name, setName] = useState(group?.name ?? '')
  const [notes, setNotes] = useState(group?.notes ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppError>()

  async function save() {
    setBusy(true)
    setError(undefined)
    try {
      const g = group ? await api.updateGroup(group.id, name, notes) : await api.createGroup(name, notes)
      onSaved(g)
    } catch (e) {
      setError(toAppError(e))
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={group ? 'Edit group' : 'New group'}
      description={group ? undefined : 'A group holds one client family or business: its people, companies, trusts and funds.'}
      onClose={onClose}
      onSubmit={save}
      busy={busy}
      testId="group-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : group ? 'Save changes' : 'Create group'}
          </button>
        </>
      }
    >
      <ErrorBanner error={unshownError(error, ['name', 'notes'])} />
      <Field label="Group name" error={error?.field('name')}>
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Smith Family Group" autoComplete="off" />
      </Field>
      <Field label="Notes" note="(optional)" error={error?.field('notes')}>
        <textarea className="input textarea" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </Field>
    </Dialog>
  )
}
