// The administrator's screens in Chromium: adding an account (errors first) and signing in as it,
// resetting a password, disabling an account, adding an agency, the key status without key
// material, and the audit log with its filters and the verification of its chain. Every change is
// read back through the CLI.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from './support.mjs';

let partnership, server, browser;
const newPassword = 'a new password for e2e';

before(async () => {
  partnership = new e2e.Partnership({children: 20, imported: false});
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

const users = () => Object.fromEntries(partnership.json(['users', 'list']).map((u) => [u.username, u]));

test('an admin adds an account, who then signs in; the admin disables it and it cannot', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'admin');
  await e2e.screen(page, 'Users');
  await page.getByRole('row').filter({hasText: 'csc.1'}).waitFor();
  await e2e.check(page, 'admin-users');

  await page.getByRole('button', {name: 'Add an account'}).click();
  await e2e.screen(page, 'Add an account');
  await page.getByRole('button', {name: 'Add the account'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  for (const text of ['Enter a username', 'Enter a display name', 'Select a role', 'Enter an initial password'])
    await summary.getByRole('link', {name: text}).waitFor();
  await summary.getByRole('link', {name: 'Select a role'}).click();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'role');
  await e2e.check(page, 'admin-user-new-errors');

  await page.getByLabel('Username').fill('r.khan');
  await page.getByLabel('Display name').fill('Rafi Khan');
  await page.getByRole('group', {name: 'Role'}).getByLabel('Auditor').check();
  await page.getByRole('button', {name: 'Add the account'}).click();
  await summary.getByRole('link', {name: 'Select the auditor\'s agency'}).waitFor();
  await page.getByLabel('Agency').selectOption('POLICE');
  await page.getByLabel('Initial password').fill('too short');
  await page.getByRole('button', {name: 'Add the account'}).click();
  // The service's own refusal, against the password field.
  await summary.getByRole('link', {name: /password/i}).waitFor();
  assert.equal(users()['r.khan'], undefined, 'nothing stored on a refusal');
  await page.getByLabel('Initial password').fill(newPassword);
  await e2e.check(page, 'admin-user-new');
  await page.getByRole('button', {name: 'Add the account'}).click();
  await e2e.screen(page, 'Users');
  await e2e.success(page, 'Account r.khan added as Auditor for POLICE');
  await page.getByRole('row').filter({hasText: 'r.khan'}).filter({hasText: 'Rafi Khan'}).waitFor();
  const added = users()['r.khan'];
  assert.equal(added.role, 'auditor');
  assert.equal(added.agency, 'POLICE');
  assert.equal(added.status, 'active');

  const theirs = await e2e.newPage(browser, server);
  await e2e.signInWith(theirs, 'r.khan', newPassword);
  await e2e.screen(theirs, 'My returns');
  await theirs.context().close();

  await page.getByRole('button', {name: 'Disable r.khan'}).click();
  await page.getByRole('heading', {name: 'Disable r.khan'}).waitFor();
  await e2e.check(page, 'admin-user-disable');
  await page.locator('#user-action').getByRole('button', {name: 'Disable r.khan'}).click();
  await e2e.success(page, 'Account r.khan disabled.');
  await page.getByRole('row').filter({hasText: 'r.khan'}).filter({hasText: 'Disabled'}).waitFor();
  assert.equal(users()['r.khan'].status, 'disabled');
  const refused = await e2e.newPage(browser, server);
  await e2e.signInWith(refused, 'r.khan', newPassword);
  await refused.locator('.govuk-error-summary').filter({hasText: 'not right'}).waitFor();
  await refused.context().close();
  page.assertClean();
  await page.context().close();
});

test('an admin resets a password: the old one stops working, the new one works', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'admin');
  await e2e.screen(page, 'Users');
  await page.getByRole('button', {name: 'Reset password of board'}).click();
  await page.getByRole('heading', {name: 'Reset the password of board'}).waitFor();
  await page.getByLabel('New password for board').fill(newPassword);
  await page.getByRole('button', {name: 'Set the password'}).click();
  await e2e.success(page, 'Password of board reset');
  const board = await e2e.newPage(browser, server);
  await e2e.signInWith(board, 'board', e2e.password);
  await board.locator('.govuk-error-summary').filter({hasText: 'not right'}).waitFor();
  await e2e.signInWith(board, 'board', newPassword);
  await board.getByRole('link', {name: 'Sign out'}).waitFor();
  await board.context().close();
  page.assertClean();
  await page.context().close();
});

test('an admin adds an agency and sees the key status without key material', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'admin');
  await page.getByRole('link', {name: 'Agencies'}).click();
  await e2e.screen(page, 'Agencies');
  await page.getByRole('button', {name: 'Add the agency'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Enter the agency\'s code'}).waitFor();
  await page.getByLabel('Code').fill('PROBATION');
  await page.getByLabel('Name').fill('Probation service');
  await page.getByLabel('Kind').selectOption('probation');
  await page.getByRole('button', {name: 'Add the agency'}).click();
  await e2e.success(page, 'Agency PROBATION added.');
  await page.getByRole('row').filter({hasText: 'PROBATION'}).filter({hasText: 'Probation service'}).waitFor();
  const listed = await e2e.pageApi(page, 'GET', '/agencies');
  assert.ok(listed.body.items.some((a) => a.code === 'PROBATION' && a.kind === 'probation'));
  await e2e.check(page, 'admin-agencies');

  await page.getByRole('link', {name: 'Keys'}).click();
  await e2e.screen(page, 'Data keys');
  const keys = partnership.json(['keys', 'status']);
  assert.equal(await page.locator('main table tbody tr').count(), keys.length);
  // Ids, purposes and states only: nothing that looks like key bytes.
  assert.doesNotMatch(await page.locator('main').innerText(), /[0-9a-f]{32}|[A-Za-z0-9+/]{40}/);
  await e2e.check(page, 'admin-keys');
  page.assertClean();
  await page.context().close();
});

test('the audit log filters by action and its verification is shown', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'admin');
  await page.getByRole('link', {name: 'Audit log'}).click();
  await e2e.screen(page, 'Audit log');
  await page.getByRole('button', {name: 'Verify the log'}).click();
  const verified = page.locator('#verification .govuk-notification-banner');
  await verified.waitFor();
  const v = (await e2e.pageApi(page, 'GET', '/audit-log/verification')).body;
  assert.equal(v.ok, true);
  assert.match(await verified.innerText(), /The log is intact/);
  assert.ok((await verified.innerText()).includes(v.head_hash.slice(0, 16)));
  await e2e.check(page, 'admin-audit-log');

  await page.getByLabel('Action').fill('user.add');
  await page.getByRole('button', {name: 'Apply filters'}).click();
  await page.waitForURL(/#\/audit-log\?action=user\.add$/);
  await page.locator('main caption').filter({hasText: 'matching the filters'}).waitFor();
  const actions = await page.locator('main table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.cells[3].textContent));
  assert.ok(actions.length >= 13, 'every account added is listed');
  assert.deepEqual([...new Set(actions)], ['user.add']);
  // A malformed date is the service's 400, shown against its field.
  await page.getByLabel('From').fill('2026-13-45');
  await page.getByRole('button', {name: 'Apply filters'}).click();
  const bad = page.locator('.govuk-error-summary a').filter({hasText: /parameter since: expected a date/});
  await bad.waitFor();
  await bad.click();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'since');
  page.assertClean();
  await page.context().close();
});
