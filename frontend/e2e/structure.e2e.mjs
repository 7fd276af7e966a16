// End-to-end test of issue 3 (Foundation): the real app (dev build) under
// Xvfb, driven by Playwright in the system Chromium through the app's dev
// server, so every click goes through the real bound Go methods into the
// real SQLite file. Run by `make e2e`:
//   build/scripts/with-keyring.sh build/scripts/with-xvfb.sh node frontend/e2e/structure.e2e.mjs build/bin/structura-dev
//
// Scenario: fresh data folder → create a group → add three entities and two
// relationships → edit an entity → every invalid input is refused with its
// own message on screen and nothing saved → delete through the confirmation
// → stop the app → start it again on the same data → everything is there.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  assert,
  finishE2E,
  launchBrowser,
  noRawText,
  repoRoot,
  screenshotPage,
  stableDisplayShot,
  startApp,
  stepper,
  tempDir,
  waitForWindow,
} from './harness.mjs'

const bin = path.resolve(repoRoot, process.argv[2] || 'build/bin/structura-dev')
const GROUP = 'Nguyen Family Group'
const MINH = 'Minh Nguyen'
const COMPANY = 'Nguyen Holdings Pty Ltd'
const TRUST = 'Nguyen Family Trust'

const step = stepper()

// ---------- page helpers ----------

const dialog = (page) => page.getByRole('dialog')

async function closeDialogWithEsc(page) {
  await page.keyboard.press('Escape')
  await dialog(page).waitFor({ state: 'detached' })
}

/** Chooses the option of a <select> whose text equals text, or starts with
 * text followed by " (" (entity options read "Name (Kind)"). */
async function choose(select, text) {
  const value = await select.evaluate((el, t) => {
    const o = [...el.options].find((o) => o.textContent === t || o.textContent.startsWith(t + ' ('))
    return o ? o.value : null
  }, text)
  assert(value !== null, `option "${text}" offered`)
  await select.selectOption(value)
}

async function countText(page, testId) {
  return Number((await page.getByTestId(testId).textContent()).trim())
}

async function expectCounts(page, entities, relationships, when) {
  // Wait for the screen to settle on the expected numbers, then check the
  // rows themselves.
  await page.waitForFunction(
    ([e, r]) =>
      document.querySelector('[data-testid="entity-count"]')?.textContent?.trim() === String(e) &&
      document.querySelector('[data-testid="relationship-count"]')?.textContent?.trim() === String(r),
    [entities, relationships],
    { timeout: 10000 },
  ).catch(() => {})
  const e = await countText(page, 'entity-count')
  const r = await countText(page, 'relationship-count')
  assert(e === entities, `${when}: ${entities} entities shown (got ${e})`)
  assert(r === relationships, `${when}: ${relationships} relationships shown (got ${r})`)
  assert((await page.getByTestId('entity-row').count()) === entities, `${when}: ${entities} entity rows`)
  assert((await page.getByTestId('relationship-row').count()) === relationships, `${when}: ${relationships} relationship rows`)
}

/** What the backend holds, read through the real bound methods. */
async function backendGroup(page, name) {
  return page.evaluate(async (n) => {
    const groups = await window.go.main.App.ListGroups(n)
    const g = (groups || []).find((x) => x.name === n)
    if (!g) return null
    const d = await window.go.main.App.GetGroup(g.id)
    return {
      id: g.id,
      entities: (d.entities || []).map((e) => e.displayName).sort(),
      relationships: (d.relationships || []).length,
    }
  }, name)
}

async function backendEntityCount(page, query) {
  return page.evaluate(async (q) => ((await window.go.main.App.ListEntities(q)) || []).length, query)
}

async function backendEntityExists(page, name) {
  return page.evaluate(async (n) => ((await window.go.main.App.ListEntities(n)) || []).some((e) => e.displayName === n), name)
}

async function openAddEntity(page) {
  await page.getByRole('button', { name: 'Add entity', exact: true }).first().click()
  await dialog(page).waitFor()
}

async function fillEntity(page, kind, fields) {
  const d = dialog(page)
  await d.getByTestId('entity-kind').selectOption(kind)
  for (const [label, value] of Object.entries(fields)) {
    const input = d.getByLabel(label, { exact: false }).first()
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value)
    else await input.fill(value)
  }
}

async function addEntity(page, kind, fields, name) {
  await openAddEntity(page)
  await fillEntity(page, kind, fields)
  await dialog(page).getByRole('button', { name: 'Add entity', exact: true }).click()
  await dialog(page).waitFor({ state: 'detached' })
  await page.getByTestId('entity-row').filter({ hasText: name }).waitFor()
}

async function fillRelationship(page, { from, type, to, shares, percentage }) {
  const d = dialog(page)
  await choose(d.getByTestId('rel-from'), from)
  await choose(d.getByTestId('rel-type'), type)
  await choose(d.getByTestId('rel-to'), to)
  if (shares !== undefined) await d.getByLabel('Number of shares').fill(shares)
  if (percentage !== undefined) await d.getByLabel('Percentage').fill(percentage)
}

async function openAddRelationship(page) {
  await page.getByRole('button', { name: 'Add relationship', exact: true }).first().click()
  await dialog(page).waitFor()
}

async function addRelationship(page, rel) {
  await openAddRelationship(page)
  await fillRelationship(page, rel)
  await dialog(page).getByRole('button', { name: 'Add relationship', exact: true }).click()
  await dialog(page).waitFor({ state: 'detached' })
  await page
    .getByTestId('relationship-row')
    .filter({ hasText: rel.from })
    .filter({ hasText: rel.type })
    .filter({ hasText: rel.to })
    .waitFor()
}

/** Submits the open dialog, expects the backend's message on screen and the
 * dialog still open with the user's input, then closes it with Esc. */
async function expectRefused(page, { submit, message, keep }) {
  const d = dialog(page)
  await d.getByRole('button', { name: submit, exact: true }).click()
  const shown = d.getByText(message, { exact: false }).first()
  await shown.waitFor({ timeout: 10000 })
  assert(await shown.isVisible(), `message "${message}" is visible`)
  assert(await d.isVisible(), 'the dialog stays open after a refusal')
  for (const [label, value] of Object.entries(keep || {})) {
    const v = await d.getByLabel(label, { exact: false }).first().inputValue()
    assert(v === value, `the dialog keeps "${label}" = "${value}" (got "${v}")`)
  }
}

async function openGroupFromList(page, name) {
  await page.getByRole('link', { name: 'Groups', exact: true }).click()
  await page.getByTestId('groups-screen').waitFor()
  await page.getByTestId('group-row').filter({ hasText: name }).getByRole('link', { name }).click()
  await page.getByTestId('group-title').filter({ hasText: name }).waitFor()
}

// ---------- the scenario ----------

async function main() {
  const dataDir = tempDir('structura-e2e-')
  let app
  let browser
  let page
  let failure
  try {
    step(`start ${path.relative(repoRoot, bin)} on a fresh data folder`)
    app = await startApp({ bin, dataDir, name: 'first' })
    await waitForWindow('Structura')
    browser = await launchBrowser()
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    page = await context.newPage()
    page.setDefaultTimeout(15000)
    await page.goto(app.url)
    const windowAtStart = await stableDisplayShot('window-empty')

    step('the Groups screen opens with an empty state that says what to do')
    await page.getByTestId('groups-empty').waitFor()
    await page.getByText('No groups yet').waitFor()
    const status = await page.getByTestId('connection-status').textContent()
    assert(status === 'Not connected', `status bar shows the connection (got "${status}")`)
    await screenshotPage(page, 'e2e-01-groups-empty')

    step(`create "${GROUP}" (Enter submits the dialog)`)
    await page.getByRole('button', { name: 'New group' }).first().click()
    await dialog(page).getByLabel('Group name').fill(GROUP)
    await dialog(page).getByLabel('Notes').fill('Minh Nguyen, his company and the family trust.')
    await dialog(page).getByLabel('Group name').press('Enter')
    await page.getByTestId('group-title').filter({ hasText: GROUP }).waitFor()
    await page.getByTestId('entities-empty').waitFor()
    await screenshotPage(page, 'e2e-02-group-empty')

    step('add three entities: an individual, a company, a discretionary trust')
    await addEntity(
      page,
      'individual',
      {
        'Given name': 'Minh',
        'Family name': 'Nguyen',
        'Date of birth': '12/04/1975',
        'Tax file number': '123 456 782',
        Email: 'minh@nguyen.example.com',
        Phone: '0400 111 222',
      },
      MINH,
    )
    await addEntity(page, 'company', { 'Legal name': COMPANY, ABN: '51 824 753 556', ACN: '004 085 616' }, COMPANY)
    await addEntity(page, 'trust', { 'Legal name': TRUST, 'Trust type': 'discretionary' }, TRUST)
    const companyRow = page.getByTestId('entity-row').filter({ hasText: COMPANY })
    assert((await companyRow.textContent()).includes('51 824 753 556'), 'the ABN is shown formatted')
    assert((await companyRow.textContent()).includes('004 085 616'), 'the ACN is shown formatted')
    const minhRow = page.getByTestId('entity-row').filter({ hasText: MINH })
    assert((await minhRow.textContent()).includes('12 Apr 1975'), 'the date of birth is shown')
    assert((await minhRow.textContent()).includes('•••782'), 'only the last 3 digits of the TFN are shown')
    assert(!(await page.locator('body').innerText()).includes('123456782'), 'the full TFN is never on screen')
    assert(
      (await page.getByTestId('entity-row').filter({ hasText: TRUST }).textContent()).includes('Trust · Discretionary'),
      'the trust type is shown',
    )

    step('add two relationships: director of the company; the company trustee of the trust')
    await addRelationship(page, { from: MINH, type: 'Director of', to: COMPANY })
    await addRelationship(page, { from: COMPANY, type: 'Trustee of', to: TRUST })
    await expectCounts(page, 3, 2, 'after adding')
    await noRawText(page, 'group screen')
    await screenshotPage(page, 'e2e-03-group-filled')

    step('edit an entity: change the phone; the TFN shows only its last 3 digits')
    await page.getByRole('button', { name: `Edit ${MINH}` }).click()
    await dialog(page).getByTestId('tfn-on-file').filter({ hasText: '•••782' }).waitFor()
    assert(!(await dialog(page).innerText()).includes('123 456 782'), 'the full TFN is never shown')
    await dialog(page).getByLabel('Phone').fill('0411 222 333')
    await screenshotPage(page, 'e2e-04-edit-entity')
    await dialog(page).getByRole('button', { name: 'Save changes' }).click()
    await dialog(page).waitFor({ state: 'detached' })
    await page.getByTestId('entity-row').filter({ hasText: MINH }).filter({ hasText: '0411 222 333' }).waitFor()

    step('edit a relationship: the directorship started on 1 July 2015')
    await page.getByRole('button', { name: `Edit relationship: ${MINH} is Director of ${COMPANY}` }).click()
    await dialog(page).getByLabel('Start date').fill('01/07/2015')
    await dialog(page).getByLabel('Start date').press('Enter')
    await dialog(page).waitFor({ state: 'detached' })
    await page.getByTestId('relationship-row').filter({ hasText: 'Director of' }).filter({ hasText: 'Since 1 Jul 2015' }).waitFor()

    step('a bad ABN is refused with its message, nothing saved')
    await openAddEntity(page)
    await fillEntity(page, 'company', { 'Legal name': 'Bad Numbers Pty Ltd', ABN: '12 345 678 901' })
    await expectRefused(page, {
      submit: 'Add entity',
      message: 'This ABN is not valid: the check digits do not match',
      keep: { 'Legal name': 'Bad Numbers Pty Ltd', ABN: '12 345 678 901' },
    })
    await screenshotPage(page, 'e2e-05-bad-abn')
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after a bad ABN')
    assert((await backendEntityCount(page, 'Bad Numbers')) === 0, 'no entity saved for a bad ABN')

    step('a bad ACN is refused with its message, nothing saved')
    await openAddEntity(page)
    await fillEntity(page, 'company', { 'Legal name': 'Bad Numbers Pty Ltd', ACN: '123 456 789' })
    await expectRefused(page, {
      submit: 'Add entity',
      message: 'This ACN is not valid: the check digit does not match',
      keep: { ACN: '123 456 789' },
    })
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after a bad ACN')
    assert((await backendEntityCount(page, 'Bad Numbers')) === 0, 'no entity saved for a bad ACN')

    step('a shareholding of 140% is refused')
    await openAddRelationship(page)
    await fillRelationship(page, { from: MINH, type: 'Shareholder of', to: COMPANY, shares: '100', percentage: '140' })
    await expectRefused(page, {
      submit: 'Add relationship',
      message: 'The percentage must be between 0 and 100 (you entered 140',
      keep: { Percentage: '140', 'Number of shares': '100' },
    })
    await screenshotPage(page, 'e2e-06-percentage-140')
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after 140%')

    step('a relationship of an entity with itself is refused')
    await openAddRelationship(page)
    await fillRelationship(page, { from: MINH, type: 'Spouse of', to: MINH })
    await expectRefused(page, { submit: 'Add relationship', message: 'An entity cannot have a relationship with itself' })
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after a self-relationship')

    step('Trustee of pointing at a company is refused')
    await openAddRelationship(page)
    await fillRelationship(page, { from: MINH, type: 'Trustee of', to: COMPANY })
    await expectRefused(page, {
      submit: 'Add relationship',
      message: `“Trustee of” can only point at a trust or an SMSF, and ${COMPANY} is a company`,
    })
    await screenshotPage(page, 'e2e-07-trustee-of-company')
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after Trustee of a company')

    step('a duplicate relationship is refused')
    await openAddRelationship(page)
    await fillRelationship(page, { from: MINH, type: 'Director of', to: COMPANY })
    await expectRefused(page, { submit: 'Add relationship', message: `${MINH} is already recorded as director of ${COMPANY}` })
    await closeDialogWithEsc(page)
    await expectCounts(page, 3, 2, 'after a duplicate')
    const mid = await backendGroup(page, GROUP)
    assert(mid && mid.entities.length === 3 && mid.relationships === 2, `the backend holds 3 entities and 2 relationships (got ${JSON.stringify(mid)})`)

    step('a 7th member of an SMSF is refused (fund and members set up through the real bound methods)')
    await page.getByRole('link', { name: 'Groups', exact: true }).click()
    await page.getByTestId('groups-screen').waitFor()
    await page.evaluate(async () => {
      const A = window.go.main.App
      const blank = { trustType: '', givenName: '', familyName: '', legalName: '', tradingName: '', dateOfBirth: '', abn: '', acn: '', email: '', phone: '', address: '', notes: '' }
      const g = await A.CreateGroup('Tran Super Fund', 'SMSF with its six members')
      const fund = await A.CreateEntity(g.id, { ...blank, kind: 'smsf', legalName: 'Tran Family Super Fund' })
      for (const given of ['An', 'Binh', 'Chau', 'Dung', 'Hoa', 'Lan']) {
        const p = await A.CreateEntity(g.id, { ...blank, kind: 'individual', givenName: given, familyName: 'Tran' })
        await A.CreateRelationship({ fromId: p.id, toId: fund.id, type: 'member', startDate: '', endDate: '', notes: '' })
      }
      await A.CreateEntity(g.id, { ...blank, kind: 'individual', givenName: 'Khoa', familyName: 'Tran' })
    })
    // The open Groups screen was not reloaded: it heard "structure:changed".
    await page.getByTestId('group-row').filter({ hasText: 'Tran Super Fund' }).waitFor()
    await openGroupFromList(page, 'Tran Super Fund')
    await expectCounts(page, 8, 6, 'the SMSF group')
    await openAddRelationship(page)
    await fillRelationship(page, { from: 'Khoa Tran', type: 'Member of', to: 'Tran Family Super Fund' })
    await expectRefused(page, {
      submit: 'Add relationship',
      message: 'Tran Family Super Fund already has 6 members, the most an SMSF can have',
    })
    await screenshotPage(page, 'e2e-08-seventh-member')
    await closeDialogWithEsc(page)
    await expectCounts(page, 8, 6, 'after a 7th member')

    step('add an existing entity from another group, then take it out again (it is kept)')
    await openGroupFromList(page, GROUP)
    await page.getByRole('button', { name: 'Add existing entity' }).click()
    await dialog(page).getByLabel('Search entities').fill('An Tran')
    await dialog(page).getByRole('button', { name: 'Add An Tran to this group' }).click()
    await dialog(page).waitFor({ state: 'detached' })
    // An Tran is a member of the fund, so the fund shows as related but outside the group.
    await expectCounts(page, 4, 3, 'with an existing entity added')
    await page.getByTestId('external-row').filter({ hasText: 'Tran Family Super Fund' }).waitFor()
    await screenshotPage(page, 'e2e-09-related-outside-group')
    await page.getByRole('button', { name: 'Remove An Tran from this group' }).click()
    await dialog(page).getByText('stays in Structura').waitFor()
    await dialog(page).getByRole('button', { name: 'Remove from group' }).click()
    await dialog(page).waitFor({ state: 'detached' })
    await expectCounts(page, 3, 2, 'after taking it out again')
    assert((await page.getByTestId('external-row').count()) === 0, 'nothing outside the group is shown any more')
    assert(await backendEntityExists(page, 'An Tran'), 'the entity taken out of the group still exists')
    await openGroupFromList(page, 'Tran Super Fund')

    step('delete the SMSF group with its entities, after the preview')
    await page.getByRole('button', { name: 'Delete group' }).click()
    await dialog(page).getByText('8 entities are only in this group').waitFor()
    await dialog(page).getByTestId('delete-orphans').check()
    await screenshotPage(page, 'e2e-10-delete-group-preview')
    await dialog(page).getByRole('button', { name: 'Delete group and 8 entities' }).click()
    await page.getByTestId('groups-screen').waitFor()
    await page.getByTestId('group-row').filter({ hasText: GROUP }).waitFor()
    assert((await page.getByTestId('group-row').filter({ hasText: 'Tran Super Fund' }).count()) === 0, 'the SMSF group is gone')
    assert((await backendEntityCount(page, 'Tran')) === 0, 'its entities are gone too')

    step('add a spouse and a relationship, then delete both through the confirmation')
    await openGroupFromList(page, GROUP)
    await addEntity(page, 'individual', { 'Given name': 'Linh', 'Family name': 'Nguyen' }, 'Linh Nguyen')
    await addRelationship(page, { from: 'Linh Nguyen', type: 'Spouse of', to: MINH })
    await expectCounts(page, 4, 3, 'with the spouse')
    await page.getByRole('button', { name: `Delete relationship: Linh Nguyen is Spouse of ${MINH}` }).click()
    await dialog(page).getByText('Both entities stay').waitFor()
    await screenshotPage(page, 'e2e-11-confirm-delete')
    // Focus starts on Cancel, the safe choice.
    assert(await dialog(page).getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement), 'Cancel has the focus')
    await dialog(page).getByRole('button', { name: 'Delete relationship' }).click()
    await dialog(page).waitFor({ state: 'detached' })
    await expectCounts(page, 4, 2, 'after deleting the relationship')
    await page.getByRole('button', { name: 'Delete Linh Nguyen' }).click()
    await dialog(page).getByRole('button', { name: 'Delete entity' }).click()
    await dialog(page).waitFor({ state: 'detached' })
    await expectCounts(page, 3, 2, 'after deleting the entity')
    assert(!(await backendEntityExists(page, 'Linh Nguyen')), 'the deleted entity is gone from the database')

    step('the Sync and Settings screens')
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    await page.getByTestId('sync-screen').waitFor()
    await screenshotPage(page, 'e2e-12-sync')
    await page.getByRole('link', { name: 'Settings', exact: true }).click()
    await page.getByRole('button', { name: 'Open log folder' }).waitFor()
    const dir = await page.getByTestId('info-data-dir').textContent()
    assert(dir === dataDir || dir.startsWith(dataDir), `Settings shows the data folder (got "${dir}")`)
    assert((await page.getByTestId('info-log-file').textContent()).length > 0, 'Settings shows the log file')
    await noRawText(page, 'settings')
    await screenshotPage(page, 'e2e-13-settings')

    step('the real window followed every change (structure:changed) without being touched')
    const live = await stableDisplayShot('window-groups-live')
    assert(!readFileSync(live.file).equals(readFileSync(windowAtStart.file)), 'the real window changed from its empty state')
    console.log(`      real window, live: ${path.relative(repoRoot, live.file)} (${live.colours} colours)`)

    step('stop the app (SIGTERM) and start it again on the same data folder')
    await page.close()
    await app.stop()
    app = await startApp({ bin, dataDir, name: 'second' })
    await waitForWindow('Structura')
    page = await context.newPage()
    page.setDefaultTimeout(15000)
    await page.goto(app.url)

    step('after the restart the group, its entities and relationships are there as left')
    const row = page.getByTestId('group-row').filter({ hasText: GROUP })
    await row.waitFor()
    const cells = await row.locator('td').allTextContents()
    assert(cells[1] === '3' && cells[2] === '2', `the list shows 3 entities and 2 relationships (got ${JSON.stringify(cells)})`)
    assert((await page.getByTestId('group-row').count()) === 1, 'only the one group is left')
    await screenshotPage(page, 'e2e-14-groups-after-restart')
    const shot = await stableDisplayShot('window-groups')
    console.log(`      real window: ${path.relative(repoRoot, shot.file)} (${shot.colours} colours)`)

    await openGroupFromList(page, GROUP)
    await expectCounts(page, 3, 2, 'after the restart')
    for (const name of [MINH, COMPANY, TRUST]) await page.getByTestId('entity-row').filter({ hasText: name }).waitFor()
    await page.getByTestId('entity-row').filter({ hasText: MINH }).filter({ hasText: '0411 222 333' }).waitFor()
    await page.getByTestId('relationship-row').filter({ hasText: MINH }).filter({ hasText: 'Director of' }).filter({ hasText: COMPANY }).filter({ hasText: 'Since 1 Jul 2015' }).waitFor()
    await page.getByTestId('relationship-row').filter({ hasText: COMPANY }).filter({ hasText: 'Trustee of' }).filter({ hasText: TRUST }).waitFor()
    const final = await backendGroup(page, GROUP)
    assert(
      JSON.stringify(final.entities) === JSON.stringify([MINH, COMPANY, TRUST].sort()) && final.relationships === 2,
      `the backend holds the same data after the restart (got ${JSON.stringify(final)})`,
    )
    await noRawText(page, 'group after restart')
    await screenshotPage(page, 'e2e-15-group-after-restart')

    step('a second copy on the same data folder shows a friendly startup error page')
    const dup = await startApp({ bin, dataDir, name: 'second-copy' })
    try {
      const dupPage = await context.newPage()
      await dupPage.goto(dup.url)
      const gone = dupPage.getByTestId('startup-error')
      await gone.waitFor()
      const text = await gone.innerText()
      assert(/already open/i.test(text), `the page says Structura is already open (got "${text}")`)
      assert(!/STRUCTURA_ERROR|lock|errno|\.go\b/i.test(text), 'no raw error text on the startup page')
      await screenshotPage(dupPage, 'e2e-16-already-open')
      await dupPage.close()
    } finally {
      await dup.stop()
    }
    await page.getByTestId('group-title').filter({ hasText: GROUP }).waitFor()

    console.log('e2e: passed — screenshots in build/screenshots/')
  } catch (e) {
    failure = e
  }
  await finishE2E({ failure, step, page, app, browser, dataDir, shot: 'e2e-failure' })
}

main()
