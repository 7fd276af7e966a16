// End-to-end test of issue 6 (Connect, test and disconnect XPM, with
// two-factor protection): the real app (dev build) under Xvfb, driven by
// Playwright in the system Chromium through the app's dev server. The app's
// built-in sandbox plays Xero; its sign-in URL is caught through
// STRUCTURA_OPEN_URL_CMD and opened in a second tab, which signs in on the
// sandbox's consent page and is redirected to the app's real loopback
// listener. Run by `make e2e E2E=connect`:
//   build/scripts/with-keyring.sh build/scripts/with-xvfb.sh node frontend/e2e/connect.e2e.mjs build/bin/structura-dev
//
// Scenario: fresh data folder → Settings shows Not connected / Sandbox →
// callback port set to a free one → Connect without two-factor → "Enable
// two-factor authentication to connect to Xero" with a set-up button → TOTP
// enrolment (a wrong code refused, then a code computed here; 10 recovery
// codes) → Connect now → consent page (Alex, one practice) → "You can close
// this tab" → "Connected to Harbourside Accounting" in the status bar (and the
// real window) → Test connection → link a group → Disconnect (confirmation
// says local data is kept) → "Authorization was denied" (Cancel on the consent
// page) → "No Xero organizations found" (a user without the privilege) →
// practice picker (Sam, two practices; links restored) → Xero revokes the
// grant → "Reconnect needed" banner → one-click Reconnect → restart → lock
// screen → wrong code refused, a recovery code unlocks → Lock now → the used
// recovery code is refused, a TOTP code unlocks → Test connection after the
// restart → Disconnect → two-factor stays on.
import path from 'node:path'
import {
  assert,
  bound,
  completeSandboxConsent,
  DEMO_PRACTICE,
  finishE2E,
  freePort,
  freshTotp,
  launchBrowser,
  noRawText,
  repoRoot,
  SANDBOX_USERS,
  screenshotPage,
  stableDisplayShot,
  startApp,
  stepper,
  tempDir,
  urlCatcher,
  waitForWindow,
} from './harness.mjs'

const bin = path.resolve(repoRoot, process.argv[2] || 'build/bin/structura-dev')
const SECOND_PRACTICE = 'Coastal Tax Partners'

const step = stepper()
// Words that must never reach the screen, besides the harness's list.
const RAW = { extra: ['invalid_grant', 'access_denied'] }

const shot = (page, name) => screenshotPage(page, `connect-${name}`)
const statusText = async (page) => (await page.getByTestId('connection-status').textContent()).trim()

async function expectStatus(page, text, timeout = 15000) {
  await page.getByTestId('connection-status').filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout })
}

async function openSettings(page) {
  await page.getByRole('link', { name: 'Settings', exact: true }).click()
  await page.getByTestId('settings-screen').waitFor()
  await page.getByTestId('connection-card').waitFor()
}

/** Clicks Connect (or "Try again" / "Connect again" in the open dialog) and
 * returns the sign-in URL the app handed to the "system browser". */
async function startConnect(page, catcher, click) {
  const before = catcher.urls().length
  await click()
  await page.getByTestId('connect-waiting').waitFor()
  return catcher.next(before)
}

async function main() {
  const dataDir = tempDir('structura-e2e-connect-')
  const catcher = urlCatcher(dataDir)
  let app
  let browser
  let page
  let failure
  try {
    step(`start ${path.relative(repoRoot, bin)} on a fresh data folder`)
    app = await startApp({ bin, dataDir, env: catcher.env, name: 'first' })
    await waitForWindow('Structura')
    browser = await launchBrowser()
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' })
    page = await context.newPage()
    page.setDefaultTimeout(15000)
    await page.goto(app.url)
    await page.getByTestId('groups-screen').waitFor()

    step('no lock screen without a connection; the status bar says Not connected · Sandbox')
    assert((await page.getByTestId('lock-screen').count()) === 0, 'no lock screen at open without a connection')
    await expectStatus(page, 'Not connected')
    assert(await page.getByTestId('connection-sandbox').isVisible(), 'the Sandbox badge is shown')
    await shot(page, '01-not-connected')

    step('Settings → XPM connection: sandbox by default; the Xero option shows the redirect URI and checklist')
    await openSettings(page)
    assert((await page.getByTestId('settings-connection-label').textContent()) === 'Not connected', 'settings say Not connected')
    assert(await page.getByTestId('env-sandbox').isChecked(), 'Sandbox (demo practice) is the default')
    assert((await page.getByTestId('twofactor-state').textContent()).includes('off'), 'two-factor authentication is off')
    await page.getByTestId('env-xero').check()
    const redirect = await page.getByTestId('redirect-uri').textContent()
    assert(redirect === 'http://localhost:8749/callback', `the exact redirect URI is shown (got ${redirect})`)
    const checklist = await page.getByTestId('xero-checklist').innerText()
    for (const must of ['XPM API access approved by Xero', 'Connect third-party add-ons', 'Scopes']) {
      assert(checklist.includes(must), `the checklist mentions ${must}`)
    }
    assert(await page.getByTestId('connect-button').isDisabled(), 'Connect waits for unsaved settings')
    await shot(page, '02-settings-xero')
    await page.getByRole('button', { name: 'Undo changes' }).click()
    assert(await page.getByTestId('env-sandbox').isChecked(), 'undo returns to the sandbox')

    step('set the callback port to a free one (Advanced) and save')
    const port = await freePort()
    await page.locator('.advanced summary').click()
    await page.getByTestId('callback-port').fill('80')
    await page.getByTestId('save-settings').click()
    await page.getByText('Choose a port between 1024 and 65535').waitFor()
    await page.getByTestId('callback-port').fill(String(port))
    await page.getByTestId('save-settings').click()
    await page.getByTestId('toast').filter({ hasText: 'Connection settings saved' }).waitFor()
    const saved = await bound(page, 'GetXPMSettings')
    assert(saved.callbackPort === port && saved.environment === 'sandbox', `the port ${port} is saved (got ${JSON.stringify(saved.callbackPort)})`)
    await shot(page, '03-settings')

    step('Connect without two-factor: "Enable two-factor authentication to connect to Xero" with a set-up button')
    await page.getByTestId('connect-button').click()
    const dlg = page.getByTestId('connect-dialog')
    await dlg.getByTestId('connect-needs-2fa').waitFor()
    assert((await dlg.innerText()).includes('Enable two-factor authentication to connect to Xero'), 'the seed-guide message is shown')
    assert((await dlg.innerText()).includes('Settings → Security'), 'with what to do')
    assert(catcher.urls().length === 0, 'no browser was opened')
    await shot(page, '04-needs-2fa')
    await dlg.getByRole('button', { name: 'Set up two-factor authentication' }).click()

    step('two-factor set-up: QR code and key; a wrong code is refused; a right code gives 10 recovery codes')
    const enrol = page.getByTestId('enrol-dialog')
    await enrol.getByTestId('enrol-scan').waitFor()
    assert(await enrol.locator('img.enrol-qr').evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR code is shown')
    const totpSecret = (await enrol.getByTestId('totp-secret').textContent()).replace(/\s+/g, '')
    assert(/^[A-Z2-7]{32}$/.test(totpSecret), 'a 160-bit base32 key is shown as text')
    await shot(page, '05-enrol-scan')
    await enrol.getByTestId('code-input').fill('000000')
    await enrol.getByRole('button', { name: 'Turn on two-factor authentication' }).click()
    await enrol.getByText('That code is not right').waitFor()
    await enrol.getByTestId('code-input').fill(await freshTotp(totpSecret))
    await enrol.getByRole('button', { name: 'Turn on two-factor authentication' }).click()
    await enrol.getByTestId('recovery-codes').waitFor()
    const codes = await enrol.getByTestId('recovery-codes').locator('li').allTextContents()
    assert(codes.length === 10 && codes.every((c) => /^[a-z0-9]{5}-[a-z0-9]{5}$/i.test(c)), `10 recovery codes (got ${JSON.stringify(codes)})`)
    assert(await enrol.getByRole('button', { name: 'Connect to Xero now' }).isDisabled(), 'the codes must be saved first')
    await shot(page, '06-recovery-codes')
    await enrol.getByTestId('codes-saved').check()

    step('Connect now: waiting for the browser; the sandbox consent page; Alex allows; "You can close this tab"')
    const url1 = await startConnect(page, catcher, () => enrol.getByRole('button', { name: 'Connect to Xero now' }).click())
    assert(url1.includes('/identity/connect/authorize') && url1.includes('code_challenge_method=S256'), 'a PKCE sign-in URL was opened')
    assert(decodeURIComponent(url1).includes(`redirect_uri=http://localhost:${port}/callback`), 'it redirects to the chosen port')
    assert((await dlg.innerText()).includes('Waiting for you to approve Structura in your browser'), 'the dialog says what it waits for')
    await shot(page, '07-waiting')
    const tab = await completeSandboxConsent(context, url1, { user: SANDBOX_USERS.alex, screenshot: 'connect-08-consent' })
    await tab.getByText('You can close this tab and return to Structura').waitFor()
    await screenshotPage(tab, 'connect-09-close-tab')
    await tab.close()

    step(`"Connected to ${DEMO_PRACTICE}" in the dialog, the settings and the status bar`)
    await dlg.getByTestId('connect-connected').waitFor()
    assert((await dlg.innerText()).includes(`Connected to ${DEMO_PRACTICE}`), 'the dialog says connected')
    await shot(page, '10-connected-dialog')
    await dlg.getByRole('button', { name: 'Done' }).click()
    await dlg.waitFor({ state: 'detached' })
    await expectStatus(page, `Connected to ${DEMO_PRACTICE}`)
    assert((await page.getByTestId('connection-practice').textContent()) === DEMO_PRACTICE, 'the settings name the practice')
    assert(await page.getByTestId('env-sandbox').isDisabled(), 'the environment cannot change while connected')
    await noRawText(page, 'connected settings', RAW)
    await shot(page, '11-connected')

    step('the real window shows "Connected to Harbourside Accounting" in its status bar')
    await page.getByRole('link', { name: 'Groups', exact: true }).click()
    const win = await stableDisplayShot('window-connected')
    console.log(`      real window: ${path.relative(repoRoot, win.file)} (${win.colours} colours)`)
    await openSettings(page)

    step('Test connection: practice, time taken, calls left this minute and today, permissions, verdict')
    await page.getByTestId('test-button').click()
    const result = page.getByTestId('test-result')
    await result.waitFor()
    assert((await page.getByTestId('test-practice').textContent()) === DEMO_PRACTICE, 'the test names the practice')
    assert(/\d/.test(await page.getByTestId('test-duration').textContent()), 'the time taken is shown')
    const perMinute = await page.getByTestId('test-calls-minute').textContent()
    const perDay = await page.getByTestId('test-calls-day').textContent()
    assert(/^\d[\d,]*$/.test(perMinute) && /^\d[\d,]*$/.test(perDay), `calls left are shown (got ${perMinute} / ${perDay})`)
    assert((await page.getByTestId('test-verdict').textContent()).startsWith('Everything works'), 'the verdict is plain and positive')
    assert((await page.getByTestId('test-scopes').innerText()).includes('Read and update clients'), 'the permissions are in plain words')
    await noRawText(page, 'test result', RAW)
    await shot(page, '12-test-connection')

    step('link one XPM group (so a disconnect has links to keep)')
    let groups = []
    for (let i = 0; i < 50 && groups.length === 0; i++) {
      const list = await bound(page, 'ListXPMGroups', { query: '', status: '', sort: '', desc: false })
      groups = list.groups || []
      if (groups.length === 0) await new Promise((r) => setTimeout(r, 200))
    }
    assert(groups.length > 0, 'the demo practice has client groups')
    const linked = await bound(page, 'LinkXPMGroupAsNew', groups[0].uuid)
    const linkedGroup = linked.localGroup.name
    await page.waitForFunction(async () => (await window.go.main.App.ConnectionStatus()).activeLinks.groups === 1)

    step('Disconnect: the confirmation says every local record and link is kept')
    await page.getByTestId('disconnect-button').click()
    const confirm = page.getByTestId('disconnect-dialog')
    await confirm.waitFor()
    const confirmText = await confirm.innerText()
    assert(/every group, entity, relationship and link stays/i.test(confirmText), 'the confirmation says local data is kept')
    assert(confirmText.includes('1 group'), 'it counts the links of this practice')
    await shot(page, '13-disconnect-confirm')
    await confirm.getByRole('button', { name: 'Disconnect' }).click()
    await confirm.waitFor({ state: 'detached' })
    await expectStatus(page, 'Not connected')
    await page.getByTestId('toast').filter({ hasText: 'Your local data and links are kept' }).waitFor()
    await page.getByTestId('parked-links').filter({ hasText: DEMO_PRACTICE }).waitFor()
    assert((await page.getByTestId('twofactor-state').textContent()).includes('on'), 'two-factor authentication stays on')
    assert(((await bound(page, 'ListGroups', linkedGroup)) || []).length === 1, 'the linked local group is still there')
    await shot(page, '14-disconnected')

    step('"Authorization was denied": Cancel on the consent page, shown with what to try')
    const url2 = await startConnect(page, catcher, () => page.getByTestId('connect-button').click())
    const denied = await completeSandboxConsent(context, url2, { user: SANDBOX_USERS.alex, decision: 'deny' })
    await denied.getByText('Authorization was denied').first().waitFor()
    await denied.close()
    await dlg.getByTestId('connect-failed').waitFor()
    const deniedText = await dlg.innerText()
    assert(deniedText.includes('Authorization was denied') && deniedText.includes('Allow access'), 'message and hint')
    await shot(page, '15-denied')

    step('"No Xero organizations found": a user without the add-on privilege, with the privilege hint')
    const url3 = await startConnect(page, catcher, () => dlg.getByRole('button', { name: 'Try again' }).click())
    const none = await completeSandboxConsent(context, url3, { user: SANDBOX_USERS.jordan })
    await none.getByText('You can close this tab and return to Structura').waitFor()
    await none.close()
    await dlg.getByTestId('connect-failed').waitFor()
    const noneText = await dlg.innerText()
    assert(noneText.includes('No Xero organizations found') && noneText.includes('Connect third-party add-ons'), 'message and privilege hint')
    await noRawText(page, 'no organizations', RAW)
    await shot(page, '16-no-organizations')

    step('Cancel in the app while waiting for the browser')
    await startConnect(page, catcher, () => dlg.getByRole('button', { name: 'Try again' }).click())
    await dlg.getByRole('button', { name: 'Cancel' }).click()
    await dlg.getByTestId('connect-cancelled').waitFor()
    await shot(page, '17-cancelled')

    step('practice picker: Sam has two practices; the other practice warns about parked links')
    const url4 = await startConnect(page, catcher, () => dlg.getByRole('button', { name: 'Connect again' }).click())
    const pick = await completeSandboxConsent(context, url4, { user: SANDBOX_USERS.sam })
    await pick.getByText('You can close this tab and return to Structura').waitFor()
    await pick.close()
    await dlg.getByTestId('connect-choose').waitFor()
    const choices = dlg.getByTestId('tenant-choice')
    const choice = (name) => choices.filter({ has: page.locator('.choice-title').getByText(name, { exact: true }) })
    assert((await choices.count()) === 2, 'two practices are offered (the accounting organisation is not)')
    const other = await choice(SECOND_PRACTICE).innerText()
    assert(other.includes('parked') && other.includes(DEMO_PRACTICE), 'choosing the other practice warns about the parked links')
    assert((await choice(DEMO_PRACTICE).innerText()).includes('Brings back 1 link'), 'the first practice restores its links')
    await choice(SECOND_PRACTICE).locator('input').check()
    await shot(page, '18-choose-practice')
    await choice(DEMO_PRACTICE).locator('input').check()
    await dlg.getByRole('button', { name: `Connect to ${DEMO_PRACTICE}` }).click()
    await dlg.getByTestId('connect-connected').waitFor()
    await dlg.getByText(/links to this practice are active again/).waitFor() // the links are active again
    await dlg.getByRole('button', { name: 'Done' }).click()
    await expectStatus(page, `Connected to ${DEMO_PRACTICE}`)

    step('Xero revokes the grant: "Reconnect needed" banner on every screen, one-click Reconnect')
    const sandboxBase = new URL(url4).origin
    const revoked = await fetch(`${sandboxBase}/_sandbox/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'b7e2a9d0-1c4f-4a8b-8e3d-000000000002' }),
    })
    assert(revoked.ok, `the sandbox revoked Sam's grant (HTTP ${revoked.status})`)
    await page.getByTestId('test-button').click()
    await page.getByTestId('test-result').filter({ hasText: 'Reconnect needed' }).waitFor()
    await expectStatus(page, 'Reconnect needed')
    await page.getByTestId('reconnect-banner').waitFor()
    await page.getByRole('link', { name: 'Groups', exact: true }).click()
    await page.getByTestId('reconnect-banner').waitFor()
    await noRawText(page, 'reconnect needed', RAW)
    await shot(page, '19-reconnect-needed')
    const url5 = await startConnect(page, catcher, () => page.getByTestId('reconnect-banner').getByRole('button', { name: 'Reconnect' }).click())
    const again = await completeSandboxConsent(context, url5, { user: SANDBOX_USERS.alex })
    await again.getByText('You can close this tab and return to Structura').waitFor()
    await again.close()
    await dlg.getByTestId('connect-connected').waitFor()
    await dlg.getByRole('button', { name: 'Done' }).click()
    await expectStatus(page, `Connected to ${DEMO_PRACTICE}`)
    assert((await page.getByTestId('reconnect-banner').count()) === 0, 'the banner is gone')

    step('restart while connected: the lock screen asks for a code; a wrong code is refused')
    await page.close()
    await app.stop()
    app = await startApp({ bin, dataDir, env: catcher.env, name: 'second' })
    await waitForWindow('Structura')
    page = await context.newPage()
    page.setDefaultTimeout(15000)
    await page.goto(app.url)
    const lock = page.getByTestId('lock-screen')
    await lock.waitFor()
    assert((await lock.innerText()).includes(DEMO_PRACTICE), 'the lock screen names the practice')
    assert((await page.getByTestId('groups-screen').count()) === 0, 'nothing else is shown while locked')
    await lock.getByTestId('code-input').fill('123456')
    await lock.getByRole('button', { name: 'Unlock' }).click()
    await lock.getByText('That code is not right').waitFor()
    await shot(page, '20-lock-screen')
    const lockWin = await stableDisplayShot('window-locked')
    console.log(`      real window: ${path.relative(repoRoot, lockWin.file)} (${lockWin.colours} colours)`)

    step('a recovery code unlocks (once); the connection survived the restart')
    await lock.getByRole('button', { name: 'Use a recovery code instead' }).click()
    await lock.getByTestId('code-input').fill(codes[0].toUpperCase())
    await lock.getByRole('button', { name: 'Unlock' }).click()
    await lock.waitFor({ state: 'detached' })
    await page.getByTestId('groups-screen').waitFor()
    await expectStatus(page, `Connected to ${DEMO_PRACTICE}`)
    await openSettings(page)
    assert((await page.getByTestId('recovery-left').textContent()).startsWith('9 unused codes'), 'one recovery code is used up')

    step('Lock now shows the lock screen; the used recovery code is refused; a TOTP code unlocks; the test passes')
    await page.getByTestId('lock-now').click()
    await lock.waitFor()
    await lock.getByRole('button', { name: 'Use a recovery code instead' }).click()
    await lock.getByTestId('code-input').fill(codes[0])
    await lock.getByRole('button', { name: 'Unlock' }).click()
    await lock.getByText('That code is not right').waitFor()
    await lock.getByRole('button', { name: 'Use the code from your authenticator app' }).click()
    await lock.getByTestId('code-input').fill(await freshTotp(totpSecret))
    await lock.getByRole('button', { name: 'Unlock' }).click()
    await lock.waitFor({ state: 'detached' })
    await openSettings(page)
    await page.getByTestId('test-button').click()
    await page.getByTestId('test-verdict').filter({ hasText: 'Everything works' }).waitFor()

    step('Disconnect; two-factor authentication stays on and can then be turned off')
    await page.getByTestId('disconnect-button').click()
    await page.getByTestId('disconnect-dialog').getByRole('button', { name: 'Disconnect' }).click()
    await expectStatus(page, 'Not connected')
    assert((await page.getByTestId('twofactor-state').textContent()).includes('on'), 'two-factor authentication stays on')
    assert(await page.getByTestId('turn-off-2fa').isVisible(), 'and may now be turned off')
    const tfa = await bound(page, 'TwoFactorStatus')
    assert(tfa.enabled && !tfa.required && !tfa.locked, `no requirement without a connection (got ${JSON.stringify(tfa)})`)
    await noRawText(page, 'after disconnect', RAW)
    await shot(page, '21-disconnected-end')
    assert((await statusText(page)) === 'Not connected', 'the status bar ends Not connected')

    console.log('e2e: passed — screenshots in build/screenshots/connect-*.png, window-connected.png, window-locked.png')
  } catch (e) {
    failure = e
  }
  await finishE2E({ failure, step, page, app, browser, dataDir, shot: 'connect-failure' })
}

main()
