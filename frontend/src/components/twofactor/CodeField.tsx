// The input for a two-factor code: the 6-digit code of the authenticator
// app, or (after "Use a recovery code instead") one of the recovery codes.
// The backend checks both; this only labels the input for what is expected.
import Field from '../Field'

export type CodeKind = 'totp' | 'recovery'

export default function CodeField({
  kind,
  value,
  onChange,
  onKindChange,
  error,
  autoFocus,
  allowRecovery = true,
}: {
  kind: CodeKind
  value: string
  onChange: (v: string) => void
  onKindChange?: (k: CodeKind) => void
  error?: string
  autoFocus?: boolean
  allowRecovery?: boolean
}) {
  const totp = kind === 'totp'
  return (
    <div className="code-field">
      <Field
        label={totp ? 'Code from your authenticator app' : 'Recovery code'}
        help={
          totp
            ? 'Open your authenticator app and type the 6-digit code shown for Structura.'
            : 'Type one of the recovery codes you saved when you set up two-factor authentication. Each works once.'
        }
        error={error}
      >
        <input
          className={`input code-input${totp ? '' : ' code-input-recovery'}`}
          data-testid="code-input"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          inputMode={totp ? 'numeric' : 'text'}
          autoComplete="one-time-code"
          spellCheck={false}
          autoCapitalize="off"
          maxLength={totp ? 7 : 13}
          placeholder={totp ? '123 456' : 'xxxxx-xxxxx'}
          autoFocus={autoFocus}
        />
      </Field>
      {allowRecovery && onKindChange && (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            onChange('')
            onKindChange(totp ? 'recovery' : 'totp')
          }}
        >
          {totp ? 'Use a recovery code instead' : 'Use the code from your authenticator app'}
        </button>
      )}
    </div>
  )
}
