// End-to-end harness: runs the real Structura binary (dev build) in a real
// window on the Xvfb display given by $DISPLAY, and drives the same page with
// Playwright in the system Chromium through the dev server, so every click
// goes through the real bound Go methods into the real SQLite file.
import { spawn, execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { rmSync, mkdtempSync, mkdirSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '..', '..')
export const screenshotDir = path.join(repoRoot, 'build', 'screenshots')

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix))
}

async function waitForHTTP(url, proc, logFile, timeoutMs = 60000) {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`the app exited with code ${proc.exitCode}; see ${logFile}`)
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the app did not serve ${url} within ${timeoutMs} ms; see ${logFile}`)
}

/** Starts the app binary on a data directory; resolves once its dev server answers. */
export async function startApp({ bin, dataDir, env = {}, name = 'app' }) {
  const port = await freePort()
  const logFile = path.join(dataDir, `${name}-${Date.now()}.out.log`)
  const out = createWriteStream(logFile)
  const proc = spawn(bin, [], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      STRUCTURA_DATA_DIR: dataDir,
      assetdir: path.join(repoRoot, 'frontend', 'dist'),
      devserver: `127.0.0.1:${port}`,
      loglevel: 'Warning',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout.pipe(out)
  proc.stderr.pipe(out)
  const started = new Promise((_, reject) => proc.once('error', (e) => reject(new Error(`the app could not start: ${e.message}`))))
  started.catch(() => {})
  const url = `http://127.0.0.1:${port}/`
  await Promise.race([waitForHTTP(url, proc, logFile), started])
  return {
    url,
    proc,
    logFile,
    async stop() {
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(t)
    },
  }
}

export async function launchBrowser() {
  // Playwright gives the browser a fresh temporary profile of its own (it
  // refuses a --user-data-dir argument) and removes it on close.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Screenshot of the whole X display (the real app window), not of Chromium. */
export function screenshotDisplay(name) {
  mkdirSync(screenshotDir, { recursive: true })
  const file = path.join(screenshotDir, `${name}.png`)
  execFileSync('import', ['-window', 'root', file])
  const colours = Number(execFileSync('identify', ['-format', '%k', file]).toString())
  return { file, colours }
}

/** Screenshot of the Playwright page, for each state of a flow. */
export async function screenshotPage(page, name) {
  mkdirSync(screenshotDir, { recursive: true })
  const file = path.join(screenshotDir, `${name}.png`)
  await page.screenshot({ path: file, fullPage: false })
  return file
}

/** Waits until the real window (by title) is mapped on the X display. */
export async function waitForWindow(title = 'Structura', timeoutMs = 30000) {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    try {
      const ids = execFileSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`]).toString().trim()
      if (ids) return ids.split('\n')[0]
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`no visible window titled ${title}`)
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`)
}

// ---------- connecting to the built-in sandbox (issue 6) ----------
//
// Usage (see connect.e2e.mjs):
//   const catcher = urlCatcher(dataDir)
//   const app = await startApp({ bin, dataDir, env: catcher.env })
//   ... page.goto(app.url) ...
//   const { totpSecret } = await connectSandbox(page, { catcher })
// Later connects or unlocks in the same run pass { totpSecret } back in.

/** Decodes RFC 4648 base32 (what authenticator apps are given). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const clean = String(text).toUpperCase().replace(/[\s=-]/g, '')
  let bits = 0
  let value = 0
  const out = []
  for (const ch of clean) {
    const i = alphabet.indexOf(ch)
    if (i < 0) throw new Error(`not base32: ${ch}`)
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 6238 TOTP code (HMAC-SHA-1, 30 s steps, 6 digits) for a time step. */
export function totpAt(secret, step) {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest()
  const off = mac[mac.length - 1] & 0x0f
  const n = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3]
  return String(n % 1e6).padStart(6, '0')
}

/** The time step now (30 s). */
export function totpStep(now = Date.now()) {
  return Math.floor(now / 1000 / 30)
}

// Structura accepts each code once (a step newer than the last accepted one)
// and the previous, current and next step: remember what this run used.
const usedSteps = new Map()

/** A TOTP code Structura has not accepted yet in this run: the current step,
 * or the next one (accepted for clock drift), waiting for time to move on
 * only when both were used. */
export async function freshTotp(secret) {
  const last = usedSteps.get(secret) ?? 0
  for (;;) {
    const now = totpStep()
    const step = Math.max(now, last + 1)
    if (step <= now + 1) {
      usedSteps.set(secret, step)
      return totpAt(secret, step)
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

/** Writes a small program for STRUCTURA_OPEN_URL_CMD that appends each URL
 * the app would open in the system browser to a file, and returns
 * { env, file, urls(), next(after, timeoutMs) }. Pass env to startApp. */
export function urlCatcher(dir) {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'opened-urls.txt')
  const script = path.join(dir, 'open-url.sh')
  writeFileSync(file, '')
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file.replace(/'/g, "'\\''")}'\n`, { mode: 0o755 })
  const urls = () => readFileSync(file, 'utf8').split('\n').filter(Boolean)
  return {
    env: { STRUCTURA_OPEN_URL_CMD: script },
    file,
    urls,
    /** Waits for a URL beyond the first `after` ones and returns it. */
    async next(after, timeoutMs = 15000) {
      const start = Date.now()
      while (Date.now() - start < timeoutMs) {
        const all = urls()
        if (all.length > after) return all[after]
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`the app opened no sign-in URL within ${timeoutMs} ms (${file})`)
    },
  }
}

/** The sandbox's consent page users (backend/sandbox/doc.go). */
export const SANDBOX_USERS = {
  alex: 'alex.morgan@harbourside.example', // one practice: Harbourside Accounting
  sam: 'sam.okafor@harbourside.example', // two practices and an accounting organisation
  jordan: 'jordan.lee@harbourside.example', // no "Connect third-party add-ons": no practice
  dana: 'dana.whitfield@harbourside.example', // denies consent
}
export const DEMO_PRACTICE = 'Harbourside Accounting'

/** Opens a sign-in URL in a new tab of the page's browser context, signs in
 * as user (an email of SANDBOX_USERS) on the sandbox consent page, clicks
 * Allow access (or Cancel) and returns the tab once the loopback listener
 * has answered (the "You can close this tab" page, or its refusal). */
export async function completeSandboxConsent(context, url, { user = SANDBOX_USERS.alex, decision = 'allow', screenshot } = {}) {
  const tab = await context.newPage()
  tab.setDefaultTimeout(15000)
  await tab.goto(url)
  await tab.locator('label.user', { hasText: user }).locator('input[type=radio]').check()
  if (screenshot) await screenshotPage(tab, screenshot)
  await tab.locator(`button[name=decision][value=${decision}]`).click()
  await tab.waitForURL((u) => u.pathname === '/callback', { timeout: 15000 })
  await tab.waitForLoadState('domcontentloaded')
  return tab
}

/** Calls a bound Go method from the page, as the UI does. */
export async function bound(page, method, ...args) {
  return page.evaluate(([m, a]) => window.go.main.App[m](...a), [method, args])
}

/** Records connect:progress events in the page (for the api mode). */
async function recordProgress(page) {
  await page.evaluate(() => {
    if (window.__e2eProgress) return
    window.__e2eProgress = []
    window.runtime.EventsOn('connect:progress', (p) => window.__e2eProgress.push(p))
  })
}

async function waitForProgress(page, attemptId, stages, timeoutMs = 20000) {
  const h = await page.waitForFunction(
    ([id, st]) => (window.__e2eProgress || []).find((p) => p.attemptId === id && st.includes(p.stage)),
    [attemptId, stages],
    { timeout: timeoutMs },
  )
  return h.jsonValue()
}

/** Two-factor set-up through the real bound methods (api mode) or the
 * Settings screen (ui mode). Returns { totpSecret, recoveryCodes }. */
export async function enrolTwoFactor(page, { via = 'api', screenshot } = {}) {
  if (via === 'api') {
    const e = await bound(page, 'BeginTwoFactorEnrolment')
    const c = await bound(page, 'ConfirmTwoFactorEnrolment', await freshTotp(e.secret))
    return { totpSecret: e.secret, recoveryCodes: c.recoveryCodes }
  }
  await page.getByRole('link', { name: 'Settings', exact: true }).click()
  await page.getByTestId('settings-screen').waitFor()
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).first().click()
  const d = page.getByTestId('enrol-dialog')
  const secretText = await d.getByTestId('totp-secret').textContent()
  const totpSecret = secretText.replace(/\s+/g, '')
  if (screenshot) await screenshotPage(page, `${screenshot}-scan`)
  await d.getByTestId('code-input').fill(await freshTotp(totpSecret))
  await d.getByRole('button', { name: 'Turn on two-factor authentication' }).click()
  await d.getByTestId('recovery-codes').waitFor()
  const recoveryCodes = await d.getByTestId('recovery-codes').locator('li').allTextContents()
  if (screenshot) await screenshotPage(page, `${screenshot}-codes`)
  await d.getByTestId('codes-saved').check()
  await d.getByRole('button', { name: /^(Done|Not now)$/ }).click()
  await d.waitFor({ state: 'detached' })
  return { totpSecret, recoveryCodes }
}

/** Connects the running app to its built-in sandbox through the real
 * loopback redirect, the way a user does:
 *  - enrols two-factor authentication if it is off (codes computed here);
 *    if it is on and a code is needed, uses opts.totpSecret;
 *  - sets the callback port to a free one (opts.callbackPort, or a new free
 *    port; false keeps the setting) so parallel runs do not collide on 8749;
 *  - starts Connect (api mode: StartConnect(); ui mode: the Connect button
 *    on Settings → XPM connection), catches the sign-in URL through
 *    STRUCTURA_OPEN_URL_CMD (opts.catcher from urlCatcher), opens it in a new
 *    tab, signs in as opts.user and clicks Allow access, waits for "You can
 *    close this tab", picks opts.practice if asked, and waits for
 *    "Connected to <practice>" in the page's status bar.
 * Returns { totpSecret, recoveryCodes, practice, attemptId, consentTab }.
 * opts.screenshot (a name prefix) saves page screenshots of each state. */
export async function connectSandbox(page, opts = {}) {
  const {
    catcher,
    user = SANDBOX_USERS.alex,
    practice = DEMO_PRACTICE,
    via = 'api',
    screenshot,
    timeoutMs = 30000,
    keepConsentTab = false,
  } = opts
  if (!catcher) throw new Error('connectSandbox needs opts.catcher (urlCatcher(dir), whose env was given to startApp)')
  let totpSecret = opts.totpSecret
  let recoveryCodes

  // 1. two-factor authentication
  const tfa = await bound(page, 'TwoFactorStatus')
  if (!tfa.enabled) {
    ;({ totpSecret, recoveryCodes } = await enrolTwoFactor(page, { via, screenshot: screenshot && `${screenshot}-2fa` }))
  } else if (tfa.codeNeededToConnect && via === 'api') {
    if (!totpSecret) throw new Error('two-factor authentication is on and needs a code: pass opts.totpSecret')
    await bound(page, 'UnlockWithCode', await freshTotp(totpSecret))
  }

  // 2. a free callback port (the sandbox learns the redirect URI)
  if (opts.callbackPort !== false) {
    const port = opts.callbackPort || (await freePort())
    const s = await bound(page, 'GetXPMSettings')
    if (s.environment !== 'sandbox' || s.callbackPort !== port) {
      await bound(page, 'SaveXPMSettings', {
        environment: 'sandbox',
        clientId: s.clientId,
        clientSecret: '',
        clearClientSecret: false,
        callbackPort: port,
        apiBaseUrl: s.apiBaseUrl,
      })
    }
  }

  // 3. Connect
  const before = catcher.urls().length
  let attemptId
  if (via === 'api') {
    await recordProgress(page)
    const attempt = await bound(page, 'StartConnect')
    attemptId = attempt.attemptId
  } else {
    await page.getByRole('link', { name: 'Settings', exact: true }).click()
    await page.getByTestId('settings-screen').waitFor()
    await page.getByTestId('connect-button').click()
    const d = page.getByTestId('connect-dialog')
    const needsCode = d.getByTestId('connect-needs-code')
    const waiting = d.getByTestId('connect-waiting')
    await needsCode.or(waiting).first().waitFor({ timeout: timeoutMs })
    if (await needsCode.isVisible()) {
      if (!totpSecret) throw new Error('Structura asks for a two-factor code: pass opts.totpSecret')
      await d.getByTestId('code-input').fill(await freshTotp(totpSecret))
      await d.getByRole('button', { name: 'Continue' }).click()
      await waiting.waitFor({ timeout: timeoutMs })
    }
    if (screenshot) await screenshotPage(page, `${screenshot}-waiting`)
  }

  // 4. the system browser, played by a new tab
  const url = await catcher.next(before, timeoutMs)
  const tab = await completeSandboxConsent(page.context(), url, { user, screenshot: screenshot && `${screenshot}-consent` })
  await tab.getByText('You can close this tab and return to Structura').waitFor({ timeout: timeoutMs })
  if (screenshot) await screenshotPage(tab, `${screenshot}-close-tab`)

  // 5. the practice, when Structura asks
  if (via === 'api') {
    const p = await waitForProgress(page, attemptId, ['choose_tenant', 'connected', 'failed', 'timed_out', 'cancelled'], timeoutMs)
    if (p.stage === 'choose_tenant') {
      const t = p.tenants.find((x) => x.tenantName === practice)
      if (!t) throw new Error(`practice ${practice} not offered (got ${p.tenants.map((x) => x.tenantName).join(', ')})`)
      await bound(page, 'ChooseTenant', attemptId, t.tenantId)
    } else if (p.stage !== 'connected') {
      throw new Error(`connect ended ${p.stage}: ${p.error ? p.error.message : p.message}`)
    }
  } else {
    const d = page.getByTestId('connect-dialog')
    const choose = d.getByTestId('connect-choose')
    const done = d.getByTestId('connect-connected')
    const failed = d.getByTestId('connect-failed')
    await choose.or(done).or(failed).first().waitFor({ timeout: timeoutMs })
    if (await failed.isVisible()) throw new Error(`connect failed: ${await failed.innerText()}`)
    if (await choose.isVisible()) {
      if (screenshot) await screenshotPage(page, `${screenshot}-choose`)
      await d
        .getByTestId('tenant-choice')
        .filter({ has: page.locator('.choice-title').getByText(practice, { exact: true }) })
        .locator('input[type=radio]')
        .check()
      await d.getByRole('button', { name: `Connect to ${practice}` }).click()
    }
    await done.waitFor({ timeout: timeoutMs })
    if (screenshot) await screenshotPage(page, `${screenshot}-connected`)
    await d.getByRole('button', { name: 'Done' }).click()
    await d.waitFor({ state: 'detached' })
  }

  // 6. the app says so
  await page
    .getByTestId('connection-status')
    .filter({ hasText: `Connected to ${practice}` })
    .waitFor({ timeout: timeoutMs })
  const st = await bound(page, 'ConnectionStatus')
  if (st.state !== 'connected' || st.tenantName !== practice) {
    throw new Error(`expected a connection to ${practice}, got ${JSON.stringify({ state: st.state, tenant: st.tenantName })}`)
  }
  if (!keepConsentTab) await tab.close()
  return { totpSecret, recoveryCodes, practice, attemptId, consentTab: keepConsentTab ? tab : undefined }
}

/** Numbered step logging: `const step = stepper()`; `step('…')`; `step.current()`. */
export function stepper() {
  let n = 0
  const step = (name) => {
    n++
    console.log(`e2e ${String(n).padStart(2, '0')}: ${name}`)
  }
  step.current = () => n
  return step
}

const RAW_TEXT = ['undefined', 'NaN', 'STRUCTURA_ERROR', '[object Object]', 'null']

/** Fails if the page shows raw values a practitioner should never see
 * ("undefined", error envelopes…, plus `extra` words; uuids when asked). */
export async function noRawText(page, where, { extra = [], uuids = false } = {}) {
  const body = await page.locator('body').innerText()
  for (const bad of [...RAW_TEXT, ...extra]) {
    assert(!new RegExp(`\\b${bad.replace(/[[\]]/g, '\\$&')}\\b`).test(body), `${where}: no "${bad}" on screen`)
  }
  if (uuids) {
    assert(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(body), `${where}: no uuid on screen`)
  }
}

/** Takes screenshots of the X display until two in a row are identical (the
 * window has finished painting) and the picture is not blank. */
export async function stableDisplayShot(name) {
  let last = ''
  for (let i = 0; i < 60; i++) {
    const s = screenshotDisplay(name)
    const sig = readFileSync(s.file).toString('base64')
    if (s.colours > 50 && sig === last) return s
    last = sig
    await new Promise((r) => setTimeout(r, 250))
  }
  const s = screenshotDisplay(name)
  assert(s.colours > 50, `the real window is not blank (${s.colours} colours)`)
  return s
}

/** Ends an E2E run: on failure reports the step, a page screenshot and the
 * app's output and keeps the data folder; always closes the browser and
 * stops the app; exits 0 or 1. */
export async function finishE2E({ failure, step, page, app, browser, dataDir, shot }) {
  if (failure) {
    console.error(`\ne2e FAILED at step ${step.current()}: ${failure && failure.message ? failure.message : failure}`)
    if (page) {
      try {
        await screenshotPage(page, shot)
        console.error(`      page screenshot: build/screenshots/${shot}.png`)
      } catch {
        // the page is gone
      }
    }
    if (app) console.error(`      app output: ${app.logFile}`)
  }
  if (browser) await browser.close().catch(() => {})
  if (app) await app.stop().catch(() => {})
  if (!failure) rmSync(dataDir, { recursive: true, force: true })
  else console.error(`      data folder kept for inspection: ${dataDir}`)
  process.exit(failure ? 1 : 0)
}
