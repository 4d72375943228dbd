// An auditor's browser cannot reach another agency's return, or the chronology of a case they hold
// no return of, by editing the fragment or by calling the API from the page: the screen says
// "Page not found" and shows nothing of the case, the API answers 404, and their list holds only
// their own returns.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from './support.mjs';

let partnership, server, browser;
let auditor, agency, own, foreign, foreignCase;

before(async () => {
  partnership = new e2e.Partnership();
  e2e.reviewAudit(partnership);
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
  // Which agencies the sample involves depends on the draw: pick an agency with returns and a
  // case it holds no return of (CSC is on every case, so it is never picked).
  const all = partnership.json(['review', 'list', '--as', 'qa']);
  const cases = [...new Set(all.map((r) => r.case))];
  for (const a of e2e.agencies) {
    const mine = all.filter((r) => r.agency === a);
    const other = cases.find((k) => !mine.some((r) => r.case === k));
    if (mine.length && other) {
      agency = a;
      auditor = `${a.toLowerCase()}.1`;
      own = mine;
      foreignCase = other;
      break;
    }
  }
  assert.ok(agency, 'some agency has returns on some cases only');
  foreign = all.find((r) => r.agency !== agency);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

test('another agency\'s return is "Page not found" on screen and 404 from the API', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, auditor);
  await e2e.screen(page, 'My returns');
  // The list holds exactly this auditor's returns, all of their agency.
  const rows = page.locator('main table tbody tr');
  assert.equal(await rows.count(), own.length);
  for (const r of own) await rows.filter({hasText: `Return ${r.id}`}).waitFor();
  const agencies = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[3].textContent));
  assert.deepEqual([...new Set(agencies)], [agency]);
  if (!own.some((r) => r.child_key === foreign.child_key))
    assert.equal(await page.getByText(foreign.child_key).count(), 0, 'no other case is listed');

  // Own return opens; the other agency's, by editing the fragment, does not.
  await page.goto(`/#/reviews/${own[0].id}`);
  await e2e.screen(page, `Return ${own[0].id}`);
  for (const path of [`/reviews/${foreign.id}`, `/reviews/${foreign.id}/concern`]) {
    await page.evaluate((p) => { location.hash = p; }, path);
    await e2e.screen(page, 'Page not found');
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, new RegExp(foreign.child_key), 'no case content on the page');
    assert.doesNotMatch(text, /Stage 1\.1|Return \d/);
    assert.equal(await page.locator('main form, main fieldset, main textarea').count(), 0);
  }
  await e2e.check(page, 'isolation-not-found');

  // The same ids through the API, from the page, with its session and CSRF token.
  for (const [method, path, body] of [
    ['GET', `/reviews/${foreign.id}`], ['GET', `/reviews/${foreign.id}/form`],
    ['PUT', `/reviews/${foreign.id}/answers`, {not_applicable: []}],
    ['POST', `/reviews/${foreign.id}/submit`],
    ['POST', `/reviews/${foreign.id}/concerns`, {description: 'Synthetic example.'}],
    ['GET', `/cases/${foreignCase}/chronology`],
  ]) {
    const r = await e2e.pageApi(page, method, path, body);
    assert.equal(r.status, 404, `${method} ${path} answers 404`);
  }
  // The API's own list agrees with the screen.
  const listed = await e2e.pageApi(page, 'GET', '/reviews');
  assert.deepEqual(listed.body.items.map((r) => r.id).sort(), own.map((r) => Number(r.id)).sort());
  // Nothing was changed or raised by the refused calls.
  assert.equal(partnership.json(['review', 'show', String(foreign.id), '--as', 'qa']).state, 'assigned');
  assert.deepEqual(partnership.json(['review', 'concerns', '--as', 'qa']), []);
  page.assertClean();
  await page.context().close();
});

test('the chronology of a case not assigned to the auditor is "Page not found"', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, auditor);
  await page.goto(`/#/cases/${own[0].case}/chronology`);
  await e2e.screen(page, 'Case chronology');
  await page.goto(`/#/returns`);
  await e2e.screen(page, 'My returns');
  await page.evaluate((p) => { location.hash = p; }, `/cases/${foreignCase}/chronology`);
  await e2e.screen(page, 'Page not found');
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /Case chronology|Flags on this case|Events/);
  assert.equal(await page.locator('main .moj-timeline').count(), 0);
  // A flag of that case cannot be decided either.
  const ownKeys = own.map((r) => r.child_key);
  for (const f of partnership.json(['flags', '--as', 'qa']).filter((x) => !ownKeys.includes(x.child_key))) {
    const r = await e2e.pageApi(page, 'POST', `/flags/${f.id}/confirm`, {reason: 'Synthetic example.'});
    assert.equal(r.status, 404, `flag ${f.id} of another case answers 404`);
    assert.equal(partnership.json(['flags', '--as', 'qa']).find((x) => x.id === f.id).status, 'open');
  }
  page.assertClean();
  await page.context().close();
});
