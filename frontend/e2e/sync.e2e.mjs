// End-to-end test of issue 7 (Import Groups, acceptance 3) and issue 8 (Pull,
// acceptance 6): the real app (dev build) under Xvfb, driven by Playwright in
// the system Chromium through the app's dev server, connected to its built-in
// sandbox (the demo practice "Harbourside Accounting", 10 client groups)
// through the real loopback redirect (harness connectSandbox). Run by
// `make e2e E2E=sync`:
//   build/scripts/with-keyring.sh build/scripts/with-xvfb.sh node frontend/e2e/sync.e2e.mjs build/bin/structura-dev
//
// Scenario: fresh data folder with two local groups ("Chen Family", and
// "Walk-in clients" holding Marco Rossi born 8 Aug 1959) → the Sync screen
// before connecting says what to do → connect → discovery on connect lists
// the 10 demo groups with member counts → search → "Rossi Family" linked as
// new (says nothing was copied, offers Pull now) → "Chen Family Group" linked
// to the existing "Chen Family" (the best match preselected) → unlinked
// after the confirmation (local data kept) → bulk link of four groups, slowed
// down in the sandbox, cancelled after the first → Pull now on "Rossi
// Family": estimate → live progress → review (Marco Rossi asked: a high
// match; the testamentary trust flagged as a guess; nothing written yet) →
// decision → Apply → summary → the pulled group page → a second pull says
// nothing changed → disconnect: the cached groups stay, read-only.
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import {
  assert,
  bound,
  connectSandbox,
  DEMO_PRACTICE,
  finishE2E,
  launchBrowser,
  noRawText,
  repoRoot,
  screenshotPage,
  stableDisplayShot,
  startApp,
  stepper,
  tempDir,
  urlCatcher,
  waitForWindow,
} from './harness.mjs'

const bin = path.resolve(repoRoot, process.argv[2] || 'build/bin/structura-dev')
const DEMO_GROUPS = [
  'Chen Family Group',
  'Kowalski & Sons',
  "O'Brien Family",
  'Nguyen Family Group',
  'Papadopoulos Group',
  'Patel Medical',
  'Rossi Family',
  'Smith Family (Ballarat)',
  'Thompson Pastoral',
  'Williams Property Group',
]

const step = stepper()
// Words that must never reach the screen, besides the harness's list.
const RAW = { extra: ['xpm.pull', 'xpm.link-groups', 'entity:', 'rel:'], uuids: true }

const shot = (page, name) => screenshotPage(page, `sync-${name}`)
const dialog = (page) => page.getByRole('dialog')
const groupRow = (page, name) => page.locator(`[data-testid="xpm-group-row"][data-name="${name.replace(/"/g, '\\"')}"]`)

/** Sets the sandbox's fault rules (test-only control API of the sandbox). */
async function sandboxFaults(origin, rules) {
  const r = await fetch(`${origin}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules }),
  })
  assert(r.ok, `sandbox faults set (HTTP ${r.status}: ${await r.text()})`)
}

const slow = (operation, latency) => ({ operation, kind: 'latency', latency, rate: 1 })

async function rowStatus(page, name) {
  return (await groupRow(page, name).getByTestId('xpm-group-status').textContent()).trim()
}

async function localGroup(page, name) {
  const gs = (await bound(page, 'ListGroups', name)) || []
  const g = gs.find((x) => x.name === name)
  if (!g) return null
  const d = await bound(page, 'GetGroup', g.id)
  return { id: g.id, linked: d.linked, entities: (d.entities || []).map((e) => e.displayName).sort(), relationships: (d.relationships || []).length }
}

async function main() {
  const dataDir = tempDir('structura-e2e-sync-')
  const catcher = urlCatcher(dataDir)
  let app
  let browser
  let page
  let failure
  try {
    step(`start ${path.relative(repoRoot, bin)} on a fresh data folder`)
    app = await startApp({ bin, dataDir, env: catcher.env, name: 'sync' })
    const windowId = await waitForWindow('Structura')
    browser = await launchBrowser()
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    page = await context.newPage()
    page.setDefaultTimeout(15000)
    await page.goto(app.url)
    await page.getByTestId('groups-screen').waitFor()

    step('local data first: "Chen Family" and "Walk-in clients" with Marco Rossi (born 8 Aug 1959)')
    await page.evaluate(async () => {
      const A = window.go.main.App
      const blank = { trustType: '', givenName: '', familyName: '', legalName: '', tradingName: '', dateOfBirth: '', abn: '', acn: '', email: '', phone: '', address: '', notes: '' }
      const chen = await A.CreateGroup('Chen Family', 'Kept by hand before XPM')
      await A.CreateEntity(chen.id, { ...blank, kind: 'individual', givenName: 'Wei', familyName: 'Chen' })
      const walk = await A.CreateGroup('Walk-in clients', '')
      await A.CreateEntity(walk.id, { ...blank, kind: 'individual', givenName: 'Marco', familyName: 'Rossi', dateOfBirth: '1959-08-08' })
    })

    step('the Sync screen before connecting says what to do, and offers nothing that needs XPM')
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    await page.getByTestId('sync-empty').getByText('Connect to Xero Practice Manager to import groups').waitFor()
    assert(await page.getByTestId('refresh-groups').isDisabled(), 'Refresh is disabled while not connected')
    await noRawText(page, 'sync before connecting', RAW)
    await shot(page, '00-not-connected')

    step(`connect to the sandbox (${DEMO_PRACTICE}) through the real loopback redirect`)
    await connectSandbox(page, { catcher })
    const sandboxOrigin = new URL(catcher.urls()[0]).origin

    step('discovery on connect: the 10 demo groups with their member counts, cached')
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    await page.getByTestId('sync-screen').waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="xpm-group-row"]').length === n, DEMO_GROUPS.length, { timeout: 30000 })
    const names = await page.locator('[data-testid="xpm-group-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-name')))
    assert(JSON.stringify(names) === JSON.stringify([...DEMO_GROUPS].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))), `the demo groups, by name (got ${JSON.stringify(names)})`)
    const rossiMembers = (await groupRow(page, 'Rossi Family').locator('td.num').textContent()).trim()
    assert(rossiMembers === '5', `Rossi Family has 5 members (got ${rossiMembers})`)
    assert((await page.getByTestId('tab-unlinked').textContent()).includes('10'), 'all 10 not linked')
    assert(/Client groups of Harbourside Accounting/.test(await page.getByTestId('sync-subtitle').textContent()), 'the practice is named')
    assert(/found today at \d\d:\d\d/.test(await page.getByTestId('discovered-at').textContent()), 'when the groups were found')
    await noRawText(page, 'import groups list', RAW)
    await shot(page, '01-groups')

    step('search and filter')
    await page.getByLabel('Search groups').fill('family rossi')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="xpm-group-row"]').length === 1)
    assert((await page.locator('[data-testid="xpm-group-row"]').getAttribute('data-name')) === 'Rossi Family', 'the search finds Rossi Family, words in any order')
    await page.getByLabel('Search groups').fill('')
    await page.getByRole('button', { name: /Members/ }).click()
    await page.getByRole('button', { name: /Members/ }).click()
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]'))
    await page.getByRole('button', { name: /XPM group/ }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="xpm-group-row"]').length === 10)

    step('link "Rossi Family" as new: a local group of that name, linked; nothing copied, Pull now offered')
    await groupRow(page, 'Rossi Family').getByRole('button', { name: 'Link Rossi Family as a new local group' }).click()
    const notice = page.getByTestId('link-notice')
    await notice.waitFor()
    const noticeText = await notice.innerText()
    assert(/Rossi Family/.test(noticeText) && /Linking does not copy anything/.test(noticeText), `the notice says nothing was copied (got "${noticeText}")`)
    await notice.getByRole('button', { name: 'Pull now' }).waitFor()
    await groupRow(page, 'Rossi Family').getByTestId('xpm-group-status').filter({ hasText: 'Linked' }).waitFor()
    assert((await groupRow(page, 'Rossi Family').innerText()).includes('Never pulled'), 'never pulled yet')
    const rossiLocal = await localGroup(page, 'Rossi Family')
    assert(rossiLocal && rossiLocal.linked && rossiLocal.entities.length === 0, `the new local group is linked and empty (got ${JSON.stringify(rossiLocal)})`)
    await shot(page, '02-linked-as-new')

    step('link "Chen Family Group" to the existing "Chen Family" (best match preselected)')
    await groupRow(page, 'Chen Family Group').getByRole('button', { name: 'Link Chen Family Group to an existing local group' }).click()
    const d1 = page.getByTestId('link-existing-dialog')
    await d1.getByTestId('candidate-list').waitFor()
    const checked = d1.locator('input[type=radio]:checked')
    assert((await checked.count()) === 1, 'one group is preselected')
    const best = await checked.locator('xpath=..').innerText()
    assert(best.includes('Chen Family') && best.includes('Best match'), `the best match is Chen Family (got "${best}")`)
    const offered = await d1.getByTestId('candidate').allInnerTexts()
    assert(!offered.some((t) => t.startsWith('Rossi Family')), 'a local group already linked is not offered (one to one)')
    await shot(page, '03-link-existing')
    await d1.getByRole('button', { name: 'Link to “Chen Family”' }).click()
    await d1.waitFor({ state: 'detached' })
    await groupRow(page, 'Chen Family Group').getByTestId('xpm-group-local').filter({ hasText: 'Chen Family' }).waitFor()
    assert((await rowStatus(page, 'Chen Family Group')) === 'Linked', 'Chen Family Group is linked')
    await page.getByTestId('tab-linked').filter({ hasText: '2' }).waitFor()
    await shot(page, '04-linked')

    step('unlink "Chen Family Group" after the confirmation: the local group and its entity are kept')
    await groupRow(page, 'Chen Family Group').getByRole('button', { name: 'Unlink Chen Family Group' }).click()
    const u = page.getByTestId('unlink-dialog')
    const msg = await u.getByTestId('unlink-message').innerText()
    assert(/Unlinking keeps/.test(msg) && /Chen Family/.test(msg), `the confirmation says what is kept (got "${msg}")`)
    await shot(page, '05-unlink-confirm')
    await u.getByRole('button', { name: 'Unlink', exact: true }).click()
    await u.waitFor({ state: 'detached' })
    await groupRow(page, 'Chen Family Group').getByTestId('xpm-group-status').filter({ hasText: 'Not linked' }).waitFor()
    const chen = await localGroup(page, 'Chen Family')
    assert(chen && !chen.linked && JSON.stringify(chen.entities) === '["Wei Chen"]', `Chen Family is kept with its entity (got ${JSON.stringify(chen)})`)

    step('bulk: link four groups in one background job; progress, then cancel after the first')
    await sandboxFaults(sandboxOrigin, [slow('clientgroup.api/get/{identifier}', '2s')])
    for (const n of ['Kowalski & Sons', 'Papadopoulos Group', 'Thompson Pastoral', 'Williams Property Group']) {
      await groupRow(page, n).getByRole('checkbox').check()
    }
    await page.getByTestId('selection-bar').filter({ hasText: '4 groups selected' }).waitFor()
    await page.getByTestId('bulk-link').click()
    const bd = page.getByTestId('bulk-link-dialog')
    await bd.getByTestId('bulk-line').first().waitFor()
    assert((await bd.getByTestId('bulk-line').count()) === 4, 'four lines in the bulk dialog')
    await bd.getByRole('button', { name: 'Link 4 groups' }).click()
    await bd.waitFor({ state: 'detached' })
    const progress = page.getByTestId('bulk-job').getByTestId('job-progress')
    await progress.waitFor()
    await progress.getByTestId('job-count').filter({ hasText: /^1 of 4$/ }).waitFor({ timeout: 20000 })
    await shot(page, '06-bulk-progress')
    const calls = await progress.getByTestId('job-calls').textContent()
    assert(/XPM calls left today/.test(calls), `calls left today shown (got "${calls}")`)
    await progress.getByTestId('job-cancel').click()
    const sum = page.getByTestId('bulk-summary')
    await sum.waitFor({ timeout: 20000 })
    const sumText = await sum.innerText()
    assert(/Linking cancelled/.test(sumText) && /left untouched \(cancelled\)/.test(sumText), `the summary says what was done and what was left (got "${sumText}")`)
    await sandboxFaults(sandboxOrigin, [])
    const linkedNow = await page.locator('[data-testid="xpm-group-row"]').evaluateAll((rs) =>
      rs.filter((r) => r.querySelector('[data-testid="xpm-group-status"]').textContent.includes('Linked')).map((r) => r.getAttribute('data-name')),
    )
    const bulkLinked = linkedNow.filter((n) => n !== 'Rossi Family')
    assert(bulkLinked.length >= 1 && bulkLinked.length < 4, `some but not all of the four were linked (got ${JSON.stringify(linkedNow)})`)
    await noRawText(page, 'bulk summary', RAW)
    await shot(page, '07-bulk-summary')

    step('Pull now on "Rossi Family": the estimate first, nothing started yet')
    await page.getByTestId('bulk-summary').getByRole('button', { name: 'Dismiss' }).click()
    await groupRow(page, 'Rossi Family').getByRole('button', { name: 'Pull Rossi Family now' }).click()
    const pd = page.getByTestId('pull-start-dialog')
    const est = await pd.getByTestId('pull-estimate').innerText()
    assert(/About 1 XPM call/.test(est), `the estimate says 1 call (got "${est}")`)
    assert(((await bound(page, 'ListPulls', 5)) || []).length === 0, 'no pull started before confirming')
    await noRawText(page, 'pull estimate', RAW)
    await shot(page, '08-pull-estimate')

    step('start: live progress of the read (the sandbox answers slowly), then the review')
    await sandboxFaults(sandboxOrigin, [slow('client.api/list', '3s')])
    await pd.getByTestId('pull-start').click()
    await page.getByTestId('pull-screen').waitFor()
    const pp = page.getByTestId('pull-progress')
    await pp.waitFor()
    const ppText = await pp.innerText()
    assert(/Reading from XPM/.test(ppText) && /Nothing is written to Structura while reading/.test(ppText), `the progress says what happens (got "${ppText}")`)
    await pp.getByTestId('job-cancel').waitFor()
    await shot(page, '09-pull-progress')
    await page.getByTestId('pull-review').waitFor({ timeout: 30000 })
    await sandboxFaults(sandboxOrigin, [])

    step('the review: counts, Marco Rossi asked (a high match), the trust flagged as a guess; nothing written yet')
    const tile = async (k) => Number((await page.getByTestId(`tile-${k}`).locator('.tile-n').textContent()).trim())
    assert((await tile('input')) === 1, `1 item needs input (got ${await tile('input')})`)
    assert((await tile('create')) === 4, `4 entities to create (got ${await tile('create')})`)
    assert(await page.getByTestId('apply-pull').isDisabled(), 'Apply waits for the decision')
    const marco = page.getByTestId('review-item').filter({ hasText: 'Marco Rossi' }).first()
    await marco.getByText('Needs your decision').waitFor()
    const marcoText = await marco.innerText()
    assert(/Probably already here: Marco Rossi/.test(marcoText), `the match is explained (got "${marcoText}")`)
    const suggested = marco.locator('label.option', { hasText: 'Suggested' })
    assert(await suggested.locator('input').isChecked(), 'the suggested choice is preselected')
    assert(/Link/i.test(await suggested.innerText()), 'linking to the Marco Rossi already here is suggested')
    const rossiBefore = await localGroup(page, 'Rossi Family')
    assert(rossiBefore.entities.length === 0 && rossiBefore.relationships === 0, 'nothing written before Apply')
    await noRawText(page, 'review', RAW)
    await shot(page, '10-review-needs-input')
    await page.getByTestId('review-tab-flagged').click()
    const trust = page.getByTestId('review-item').filter({ hasText: 'Testamentary' }).first()
    await trust.getByTestId('review-flag').first().waitFor()
    assert(/Kind guessed/.test(await trust.innerText()), 'the trust is flagged as a guessed kind')
    await trust.scrollIntoViewIfNeeded()
    await shot(page, '11-review-flagged')
    const rule = trust.getByLabel('Save as a rule for “Testamentary Trust”')
    await rule.click()
    // The answer is the practitioner's now: no longer a guess, so no longer flagged.
    await page.getByTestId('review-tab-flagged').filter({ hasText: '1' }).waitFor()
    await page.getByTestId('review-tab-all').click()
    await page.getByLabel('Search the review').fill('Testamentary')
    const trustNow = page.getByTestId('review-item').filter({ hasText: 'Will be created' }).filter({ hasText: 'Testamentary' })
    await trustNow.waitFor()
    assert(await trustNow.getByLabel('Save as a rule for “Testamentary Trust”').isChecked(), 'the rule is recorded with the decision')
    assert(/Kind: your choice/.test(await trustNow.innerText()), 'the kind is now the practitioner’s choice')
    const rulesNote = await page.getByTestId('review-rules').innerText()
    assert(/“Testamentary Trust” → Trust · Testamentary/.test(rulesNote), `the review says Apply will save the rule (got "${rulesNote}")`)
    await page.getByLabel('Search the review').fill('')
    await page.getByTestId('review-tab-needInput').click()
    await marco.getByTestId('review-confirm').click()
    await page.getByTestId('tile-input').locator('.tile-n').filter({ hasText: /^0$/ }).waitFor()
    const applyBtn = page.getByTestId('apply-pull')
    await page.waitForFunction(() => !document.querySelector('[data-testid="apply-pull"]').disabled)
    const applyText = (await applyBtn.textContent()).trim()
    assert(/^Apply \d+ changes$/.test(applyText), `one clear primary button (got "${applyText}")`)
    await page.getByTestId('review-tab-changes').click()
    await page.getByTestId('review-item').first().waitFor()
    await shot(page, '12-review-ready')
    assert((await localGroup(page, 'Rossi Family')).entities.length === 0, 'still nothing written after deciding')

    step(`${applyText}: the summary, then the pulled group page`)
    await applyBtn.click()
    const result = page.getByTestId('pull-result')
    await result.waitFor({ timeout: 30000 })
    const resText = await result.getByTestId('pull-result-message').innerText()
    assert(/^Pulled: /.test(resText), `the summary says what was pulled (got "${resText}")`)
    await noRawText(page, 'pull summary', RAW)
    await shot(page, '13-applied')
    await result.getByRole('link', { name: 'Open Rossi Family' }).click()
    await page.getByTestId('group-title').filter({ hasText: 'Rossi Family' }).waitFor()
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="entity-count"]')?.textContent) === 5)
    const rossi = await localGroup(page, 'Rossi Family')
    assert(rossi.entities.length === 5 && rossi.entities.includes('Marco Rossi'), `the group holds its 5 members (got ${JSON.stringify(rossi)})`)
    assert(rossi.relationships >= 9, `the relationships were recorded (got ${rossi.relationships})`)
    const marcos = ((await bound(page, 'ListEntities', 'Marco Rossi')) || []).filter((e) => e.displayName === 'Marco Rossi')
    assert(marcos.length === 1, `Marco Rossi was linked, not duplicated (got ${marcos.length})`)
    const strip = await page.getByTestId('group-xpm-bar').innerText()
    assert(/XPM: linked to “Rossi Family”/.test(strip) && /last pulled today at/.test(strip), `the group page shows the link (got "${strip}")`)
    await noRawText(page, 'pulled group page', RAW)
    await shot(page, '14-pulled-group')

    step('the kind answer saved as a rule is listed, and can be deleted')
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    await page.getByRole('button', { name: 'Kind rules' }).click()
    const rules = page.getByTestId('kind-rules-dialog')
    const ruleRow = rules.getByTestId('kind-rule').filter({ hasText: 'Testamentary Trust' })
    await ruleRow.waitFor()
    assert(/Trust · Testamentary/.test(await ruleRow.innerText()), `the rule maps to a testamentary trust (got "${await ruleRow.innerText()}")`)
    await shot(page, '15-kind-rules')
    await ruleRow.getByRole('button', { name: 'Forget the rule for Testamentary Trust' }).click()
    await rules.getByText('No saved rules yet').waitFor()
    assert(((await bound(page, 'KindRules')) || []).length === 0, 'the rule is deleted')
    await rules.getByRole('button', { name: 'Close' }).first().click()
    await rules.waitFor({ state: 'detached' })
    await page.getByRole('link', { name: 'Groups', exact: true }).click()
    await page.getByTestId('group-row').filter({ hasText: 'Rossi Family' }).getByRole('link', { name: 'Rossi Family' }).click()
    await page.getByTestId('group-title').filter({ hasText: 'Rossi Family' }).waitFor()

    step('a second pull with nothing changed says so plainly, and writes nothing')
    await page.getByTestId('group-pull-now').click()
    await page.getByTestId('pull-start-dialog').getByTestId('pull-start').click()
    await page.getByTestId('pull-review').waitFor({ timeout: 30000 })
    const again = await page.getByTestId('review-message').innerText()
    assert(/Nothing changed in XPM since the last pull/.test(again), `nothing changed (got "${again}")`)
    assert((await page.getByTestId('apply-pull').textContent()).trim() === 'Finish (no changes)', 'the button says nothing will change')
    await shot(page, '16-nothing-changed')
    await page.getByTestId('apply-pull').click()
    await page.getByTestId('pull-result').waitFor({ timeout: 30000 })
    assert(/Nothing changed/.test(await page.getByTestId('pull-result-message').innerText()), 'the summary says nothing changed')
    const rossiAfter = await localGroup(page, 'Rossi Family')
    assert(JSON.stringify(rossiAfter) === JSON.stringify(rossi), 'the second pull changed nothing')

    step('the real window shows the Sync screen with the linked groups')
    const box = await page.getByRole('link', { name: 'Sync', exact: true }).boundingBox()
    const geo = Object.fromEntries(
      execFileSync('xdotool', ['getwindowgeometry', '--shell', windowId]).toString().trim().split('\n').map((l) => l.split('=')),
    )
    try {
      execFileSync('xdotool', ['windowfocus', '--sync', windowId])
    } catch {
      // no window manager: the click below still reaches the window
    }
    execFileSync('xdotool', ['mousemove', '--sync', String(Number(geo.X) + box.x + box.width / 2), String(Number(geo.Y) + box.y + box.height / 2)])
    await new Promise((r) => setTimeout(r, 300))
    execFileSync('xdotool', ['click', '1'])
    await new Promise((r) => setTimeout(r, 1000))
    const win = await stableDisplayShot('window-sync')
    console.log(`      real window: ${path.relative(repoRoot, win.file)} (${win.colours} colours)`)

    step('disconnected: the cached groups stay, read-only, with a prompt to reconnect')
    await bound(page, 'Disconnect')
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    const ro = page.getByTestId('readonly-banner')
    await ro.waitFor()
    assert(/disconnected/i.test(await ro.innerText()), 'the banner says Structura is disconnected')
    await ro.getByRole('link', { name: 'Reconnect' }).waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="xpm-group-row"]').length === n, DEMO_GROUPS.length)
    assert(await groupRow(page, 'Nguyen Family Group').getByRole('button', { name: /as a new local group/ }).isDisabled(), 'linking is disabled')
    assert(!(await groupRow(page, 'Rossi Family').getByRole('button', { name: 'Unlink Rossi Family' }).isDisabled()), 'unlinking stays available')
    await noRawText(page, 'disconnected', RAW)
    await shot(page, '17-disconnected')

    console.log('e2e: passed — screenshots in build/screenshots/sync-*.png')
  } catch (e) {
    failure = e
  }
  await finishE2E({ failure, step, page, app, browser, dataDir, shot: 'sync-failure' })
}

main()
