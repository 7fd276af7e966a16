// End-to-end harness: runs the real Structura binary (dev build) in a real
// window on the Xvfb display given by $DISPLAY, and drives the same page with
// Playwright in the system Chromium through the dev server, so every click
// goes through the real bound Go methods into the real SQLite file.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, createWriteStream } from 'node:fs'
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
  const url = `http://127.0.0.1:${port}/`
  await waitForHTTP(url, proc, logFile)
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
