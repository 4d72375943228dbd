// Signing in and out in Chromium, the session-expiry warning, and the page's own hygiene (CSP
// intact, no script errors, every asset served by the service itself).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from './support.mjs';

let partnership, server, browser;

before(async () => {
  partnership = new e2e.Partnership({children: 20, imported: false});
  // A short idle window, so the warning and the expiry happen within the test.
  server = await e2e.startServer(partnership, {PATHAUDIT_SESSION_IDLE_SECONDS: '12'});
  browser = await e2e.launchBrowser(partnership);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

test('a wrong password is refused with an error summary, a right one signs in', async () => {
  const page = await e2e.newPage(browser, server);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto('/');
  await e2e.screen(page, 'Sign in to pathaudit');
  await e2e.check(page, 'sign-in');

  await page.getByRole('button', {name: 'Sign in'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter your username/);
  assert.match(await summary.innerText(), /Enter your password/);
  // The summary's link moves focus to its field.
  await summary.getByRole('link', {name: 'Enter your username'}).click();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'username');
  await e2e.check(page, 'sign-in-errors');

  await page.getByLabel('Username').fill('qa');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'not right'}).waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password field is cleared');

  await e2e.signIn(page, 'qa');
  assert.match(page.url(), /#\/audits$/, 'a QA lead lands on the audits');
  // Every file the page loaded came from the service itself.
  const origin = new URL(server.url).origin;
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin)), []);
  page.assertClean();
  await page.context().close();
});

test('every role lands on its own home page and signing out ends the session', async () => {
  for (const [user, home, item] of [['admin', '/users', 'Audit log'], ['board', '/exports', 'Exports'],
                                    ['csc.1', '/returns', 'My returns']]) {
    const page = await e2e.newPage(browser, server);
    await e2e.signIn(page, user);
    assert.ok(page.url().endsWith(`#${home}`), `${user} lands on ${home}`);
    await page.getByRole('link', {name: item}).waitFor();
    await e2e.signOut(page);
    // The session is gone on the service too: the API refuses the old cookie.
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(status, 401);
    page.assertClean();
    await page.context().close();
  }
});

test('the idle warning offers to stay signed in, and an ended session returns to sign-in', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'qa');
  const stay = page.getByRole('button', {name: 'Stay signed in'});
  await stay.waitFor({timeout: 15000});
  assert.match(await page.locator('#session-warning').innerText(), /signed out in about 1 minute/);
  await e2e.check(page, 'session-warning');
  await stay.click();
  await stay.waitFor({state: 'detached'});
  // Left alone, the session ends and the page says so.
  await page.getByRole('heading', {name: 'Sign in to pathaudit'}).waitFor({timeout: 20000});
  await page.getByText('Your session ended').waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(status, 401, 'the service ended it too');
  page.assertClean();
  await page.context().close();
});

test('the page is served with its strict CSP and no inline script', async () => {
  const page = await e2e.newPage(browser, server);
  const res = await page.goto('/');
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
  assert.equal(inline, 0);
  const styled = await page.evaluate(() => document.querySelectorAll('[style]').length);
  assert.equal(styled, 0, 'no style attributes (the CSP would refuse them)');
  page.assertClean();
  await page.context().close();
});
