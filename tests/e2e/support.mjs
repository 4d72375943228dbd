// What the browser tests share: a synthetic partnership in a fresh data directory made with the
// real CLI, the real `pathaudit serve` on an ephemeral loopback port over TLS, Debian's Chromium
// driven by playwright-core, an axe-core scan, and screenshots into the test output. Synthetic
// data only (`pathaudit synth`).
import {spawn, spawnSync} from 'node:child_process';
import {createHash, X509Certificate} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import assert from 'node:assert/strict';
import {chromium} from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const binary = process.env.PATHAUDIT_BINARY || path.join(root, 'build/pathaudit');
export const outDir = process.env.E2E_OUT || path.join(root, 'build/e2e-output');
export const password = 'correct horse battery staple';
export const agencies = ['CSC', 'POLICE', 'GP', 'ED', 'HV', 'SCHOOL', 'SARC', 'CAMHS', 'VCS', 'EH'];
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// Runs the CLI; throws with its stderr when it fails (unless `allowFail`).
export function cli(args, {input, allowFail} = {}) {
  const r = spawnSync(binary, args, {input, encoding: 'utf8'});
  if (r.status !== 0 && !allowFail)
    throw new Error(`pathaudit ${args[0]} ${args[1] || ''} failed (${r.status}): ${r.stderr}`);
  return r;
}

// A data directory with a synthetic partnership (not yet imported unless `imported`), the review
// template, and accounts: admin, qa, board, and one auditor per agency named like `csc.1`.
export class Partnership {
  constructor({children = 80, seed = 5, imported = true} = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pathaudit-e2e-'));
    this.data = path.join(this.dir, 'data');
    this.synth = path.join(this.dir, 'synth');
    cli(['synth', '--seed', String(seed), '--children', String(children), '--out', this.synth]);
    this.run(['init', '--partnership', path.join(this.synth, 'partnership.json')]);
    if (imported) this.run(['import', ...this.extracts()]);
    this.run(['templates', 'import',
              path.join(root, 'audit-templates/csa-response-pathway/1.json')]);
    this.addUser('admin', 'admin');
    this.addUser('qa', 'qa_lead');
    this.addUser('board', 'board');
    for (const a of agencies) this.addUser(`${a.toLowerCase()}.1`, 'auditor', a);
  }
  extracts() {
    return agencies.map((a) => path.join(this.synth, `events-${a}.csv`))
                   .filter((f) => fs.existsSync(f));
  }
  run(args, options) {
    return cli([...args, '--data-dir', this.data], options);
  }
  addUser(username, role, agency) {
    const args = ['users', 'add', '--username', username, '--display-name', `Test ${username}`,
                  '--role', role, '--password-stdin'];
    if (agency) args.push('--agency', agency);
    this.run(args, {input: `${password}\n`});
  }
  json(args) {
    return JSON.parse(this.run([...args, '--format', 'json']).stdout);
  }
  remove() {
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

// `pathaudit serve` on 127.0.0.1:0 over TLS; resolves once it prints the URL it listens on.
export async function startServer(partnership, env = {}) {
  const log = fs.openSync(path.join(partnership.dir, 'server.log'), 'w');
  const child = spawn(binary, ['serve', '--data-dir', partnership.data, '--listen', '127.0.0.1:0'],
                      {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', log]});
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      const m = /listening on (\S+)/.exec(buffered);
      if (m) resolve(m[1].replace('127.0.0.1', 'localhost'));
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return {
    url, child,
    log: () => fs.readFileSync(path.join(partnership.dir, 'server.log'), 'utf8'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// Chromium trusting exactly the data directory's certificate (its public key's SHA-256 pinned),
// not every certificate: the browser checks TLS as it would in production, against this key.
export async function launchBrowser(partnership) {
  const pem = fs.readFileSync(path.join(partnership.data, 'tls-cert.pem'));
  const spki = new X509Certificate(pem).publicKey.export({type: 'spki', format: 'der'});
  const pin = createHash('sha256').update(spki).digest('base64');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Chromium's own sandbox cannot start as root (CI runs as root); the test browser only ever
    // loads this test's own loopback server.
    chromiumSandbox: process.getuid() !== 0,
    args: [`--ignore-certificate-errors-spki-list=${pin}`],
  });
}

// A page whose script errors, failed requests for the UI's own files and CSP refusals fail the
// test at `page.assertClean()`.
export async function newPage(browser, server, {acceptDownloads = true} = {}) {
  const context = await browser.newContext({baseURL: server.url, acceptDownloads,
                                            viewport: {width: 1200, height: 900}});
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    if (!r.url().includes('/api/v1/')) problems.push(`request failed: ${r.url()}`);
  });
  page.assertClean = () => assert.deepEqual(problems, [], 'the page logged errors');
  return page;
}

export async function signIn(page, username) {
  await page.goto('/#/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('link', {name: 'Sign out'}).waitFor();
}

export async function signOut(page) {
  await page.getByRole('link', {name: 'Sign out'}).click();
  await page.getByRole('heading', {name: 'You have signed out'}).waitFor();
}

// Waits until the router has drawn a screen whose <h1> matches `name`.
export async function screen(page, name) {
  await page.locator('main h1').filter({hasText: name}).first().waitFor();
  await page.waitForFunction(() => !document.getElementById('main-content').hasAttribute('aria-busy'));
}

// Screenshot into the test output (docs/images takes its pictures from there): the whole page,
// cut at 3,000 pixels so a long review form makes a picture a guide can show.
export async function shot(page, name) {
  fs.mkdirSync(path.join(outDir, 'screens'), {recursive: true});
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const {width} = page.viewportSize();
  await page.screenshot({path: path.join(outDir, 'screens', `${name}.png`), fullPage: true,
                         clip: {x: 0, y: 0, width, height: Math.min(height, 3000)}});
}

const axeSource = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe-core over the page as it is (WCAG 2.0-2.2 A and AA rules); fails on any serious or critical
// violation, naming the rule and the elements. Run through the DevTools protocol, not a <script>,
// so the page's CSP stays as strict as in production.
export async function axe(page, name) {
  const result = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, {
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
    });
    return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
  }, axeSource);
  fs.mkdirSync(path.join(outDir, 'axe'), {recursive: true});
  fs.writeFileSync(path.join(outDir, 'axe', `${name}.json`), JSON.stringify(result, null, 2));
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `axe: serious or critical violations on ${name}`);
}

// Screenshot and accessibility scan of the screen the page shows now.
export async function check(page, name) {
  await shot(page, name);
  await axe(page, name);
}

// ---- audits, casework and exports (ui-b)

// The audit of http_support.h's ReviewAudit made with the CLI: audit 1 over the whole synthetic
// period, a sample of 4 with 2 flagged children drawn first, assigned to the QA lead `qa`.
export function reviewAudit(partnership) {
  partnership.run(['audit', 'create', '--title', 'Casework audit', '--template', 'csa-response-pathway',
                   '--period-start', '2022-01-01', '--period-end', '2027-12-31']);
  partnership.run(['sample', '--audit', '1', '--size', '4', '--seed', '3', '--include-flagged', '2']);
  partnership.run(['assign', '--audit', '1', '--qa-lead', 'qa']);
}

// Completes, submits and accepts every return of a case through the CLI as its auditor and the QA
// lead (answers from scripts/demo-answers over the return's form), so casework can start.
export function acceptCase(partnership, caseId) {
  const returns = partnership.json(['review', 'list', '--case', String(caseId)]);
  for (const r of returns) {
    const form = partnership.run(['review', 'form', r.id, '--as', r.auditor, '--format', 'json']).stdout;
    const fill = spawnSync('/usr/bin/python3', [path.join(root, 'scripts/demo-answers')],
                           {input: form, encoding: 'utf8'});
    if (fill.status !== 0) throw new Error(`demo-answers failed: ${fill.stderr}`);
    partnership.run(['review', 'answer', r.id, '--file', '-', '--as', r.auditor], {input: fill.stdout});
    partnership.run(['review', 'submit', r.id, '--as', r.auditor]);
    partnership.run(['review', 'accept', r.id, '--as', 'qa']);
  }
  return returns;
}

// The value of one `field` of a CLI field/value listing (`audit show`, `review case`).
export const field = (rows, name) => (rows.find((r) => r.field === name) || {}).value;

// ---- reviews, cases and admin (ui-a)

// An API call made by the page itself (its cookie and, on writes, its CSRF token), as a script
// on the page could make it: {status, body}.
export async function pageApi(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const {request, ApiError} = await import('/static/app/api.js');
    try {
      const r = await request(m, p, b === undefined ? {} : {json: b});
      return {status: 200, body: r};
    } catch (err) {
      if (err instanceof ApiError) return {status: err.status, body: {detail: err.detail}};
      throw err;
    }
  }, [method, path, body]);
}

// Signs in with a password other than the shared one (accounts the test made itself).
export async function signInWith(page, username, pw) {
  await page.goto('/#/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', {name: 'Sign in'}).click();
}

// Waits for the success banner a change shows, with this text (a string or a RegExp).
export async function success(page, text) {
  await page.locator('.govuk-notification-banner--success').filter({hasText: text}).waitFor();
}
