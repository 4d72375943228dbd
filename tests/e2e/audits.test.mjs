// The QA lead's audit work in Chromium: creating an audit, uploading the agencies' extracts (a
// refused upload with a row error shown, then the fixed files), the flags overview, drawing the
// sample and assigning it; each checked against what the CLI then reads from the data directory.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as e2e from './support.mjs';

let partnership, server, browser, page;

before(async () => {
  partnership = new e2e.Partnership({imported: false});
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
  page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'qa');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

test('the QA lead creates an audit, with errors shown for what is missing', async () => {
  await e2e.screen(page, 'Audits');
  await page.getByText('No audits yet.').waitFor();
  await page.getByRole('link', {name: 'Create an audit'}).click();
  await e2e.screen(page, 'Create an audit');
  await page.getByRole('button', {name: 'Create audit'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter a title/);
  assert.match(await summary.innerText(), /Enter the period start/);
  await summary.getByRole('link', {name: 'Enter the period start'}).click();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'period_start-day');
  await e2e.check(page, 'audits-new-errors');

  await page.getByLabel('Title').fill('Browser audit 2026');
  const start = page.getByRole('group', {name: 'Period start'});
  await start.getByLabel('Day').fill('1');
  await start.getByLabel('Month').fill('1');
  await start.getByLabel('Year').fill('2022');
  const end = page.getByRole('group', {name: 'Period end'});
  await end.getByLabel('Day').fill('31');
  await end.getByLabel('Month').fill('12');
  await end.getByLabel('Year').fill('2027');
  await e2e.check(page, 'audits-new');
  await page.getByRole('button', {name: 'Create audit'}).click();
  await e2e.screen(page, 'Browser audit 2026');
  await page.getByText('Audit 1 created').waitFor();
  const audits = partnership.json(['audit', 'list']);
  assert.equal(audits.length, 1);
  assert.equal(audits[0].title, 'Browser audit 2026');
  assert.equal(audits[0].period_start, '2022-01-01');
  assert.equal(audits[0].period_end, '2027-12-31');

  await page.getByRole('link', {name: 'Back to audits'}).click();
  await e2e.screen(page, 'Audits');
  await page.getByRole('link', {name: 'Browser audit 2026'}).waitFor();
  await e2e.check(page, 'audits-list');
  page.assertClean();
});

test('an upload with a bad row is refused whole, then the fixed files are imported', async () => {
  // A copy of the CSC extract whose second data row (line 3) has an impossible date.
  const bad = path.join(partnership.dir, 'bad');
  fs.mkdirSync(bad);
  const extracts = partnership.extracts();
  const csc = extracts.find((f) => f.endsWith('events-CSC.csv'));
  const lines = fs.readFileSync(csc, 'utf8').split('\n');
  const cols = lines[0].split(',');
  const dateCol = cols.indexOf('event_date');
  const row = lines[2].split(',');
  row[dateCol] = '2023-13-45';
  lines[2] = row.join(',');
  fs.writeFileSync(path.join(bad, 'events-CSC.csv'), lines.join('\n'));
  const withError = [path.join(bad, 'events-CSC.csv'), ...extracts.filter((f) => f !== csc)];

  await page.getByRole('link', {name: 'Upload extracts'}).click();
  await e2e.screen(page, 'Upload extracts');
  await page.getByRole('button', {name: 'Upload and import'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Choose at least one extract'}).waitFor();

  await page.getByLabel('Agency extracts (CSV)').setInputFiles(withError);
  await page.getByRole('button', {name: 'Upload and import'}).click();
  const summary = page.locator('.govuk-error-summary').filter({hasText: 'The import was refused'});
  await summary.waitFor();
  const text = await summary.innerText();
  assert.match(text, /nothing was stored/i);
  assert.match(text, new RegExp(`events-CSC\\.csv:3:${dateCol + 1}: event_date`));
  const table = page.locator('table').filter({hasText: 'Rows refused'});
  const cells = await table.locator('tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(0, 3), ['events-CSC.csv', '3', String(dateCol + 1)]);
  assert.match(cells[3], /event_date/);
  await e2e.check(page, 'audits-import-refused');
  assert.deepEqual(partnership.json(['links']), [], 'the CLI finds nothing stored');

  await page.getByLabel('Agency extracts (CSV)').setInputFiles(extracts);
  await page.getByRole('button', {name: 'Upload and import'}).click();
  await page.getByText(`Imported ${extracts.length} files`).waitFor();
  assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'the old errors are gone');
  const files = page.locator('table').filter({hasText: 'Files'});
  assert.equal(await files.locator('tbody tr').count(), extracts.length);
  const rows = (await files.locator('tbody tr td:nth-child(2)').allInnerTexts())
    .reduce((n, t) => n + Number(t), 0);
  await e2e.check(page, 'audits-import');
  assert.equal(partnership.json(['links']).length, rows, 'the CLI reads every row imported');
  page.assertClean();
});

test('the flags overview shows the counts and filters the list by rule', async () => {
  await page.getByRole('link', {name: 'Flags'}).click();
  await e2e.screen(page, 'Flags');
  const cli = partnership.json(['flags', 'summary']);
  assert.ok(cli.length > 0, 'the synthetic data has flags');
  const summary = page.locator('table').filter({hasText: 'Flags by rule, severity and status'});
  assert.equal(await summary.locator('tbody tr').count(), cli.length);
  await e2e.check(page, 'audits-flags');

  const rule = cli[0].rule;
  const expected = cli.filter((s) => s.rule === rule).reduce((n, s) => n + Number(s.count), 0);
  await page.getByLabel('Rule').selectOption(rule);
  await page.getByRole('button', {name: 'Show flags'}).click();
  const list = page.locator('table').filter({hasText: `Flags of rule ${rule}`});
  await list.waitFor();
  assert.ok(page.url().endsWith(`#/flags?rule=${rule}`), 'only the rule code is in the address');
  const shown = await list.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal(shown.length, Math.min(expected, 50));
  assert.ok(shown.every((r) => r === rule));
  page.assertClean();
});

test('the QA lead draws the sample and assigns it; the returns appear', async () => {
  await page.getByRole('link', {name: 'Audits'}).click();
  await page.getByRole('link', {name: 'Browser audit 2026'}).click();
  await e2e.screen(page, 'Browser audit 2026');
  const population = partnership.json(['audit', 'show', '1']).find((r) => r.field === 'population').value;
  await page.locator('.govuk-summary-list').getByText(`${population} children`).waitFor();
  assert.ok(Number(population) > 4);

  await page.getByRole('button', {name: 'Draw the sample'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Enter the sample size'}).waitFor();
  await page.getByLabel('Sample size').fill('4');
  await page.getByLabel('Seed').fill('3');
  await page.getByLabel('Flagged children to include first').fill('2');
  await e2e.check(page, 'audits-audit');
  await page.getByRole('button', {name: 'Draw the sample'}).click();
  await page.getByText(`Sample 1 drawn: 4 of ${population} children`).waitFor();
  const drawn = page.locator('table').filter({hasText: 'the children drawn'});
  assert.equal(await drawn.locator('tbody tr').count(), 4);
  const flagged = await drawn.locator('tbody tr td:nth-child(4)').allInnerTexts();
  assert.equal(flagged.filter((f) => f === 'Yes').length >= 2, true, 'the two flagged draws are in it');
  const show = partnership.json(['audit', 'show', '1']);
  assert.equal(show.find((r) => r.field === 'sample_size').value, '4');
  assert.equal(show.find((r) => r.field === 'sample_seed').value, '3');
  await e2e.check(page, 'audits-sampled');
  // Reloaded, the page still lists the children drawn (from the audit), each linked to its case.
  const keys = await drawn.locator('tbody tr td:nth-child(2)').allInnerTexts();
  await page.reload();
  await page.getByRole('button', {name: 'Assign the sample'}).waitFor();
  assert.deepEqual(await drawn.locator('tbody tr td:nth-child(2)').allInnerTexts(), keys);
  assert.equal(await drawn.getByRole('link', {name: /^Case \d+$/}).count(), 4);

  await page.getByRole('button', {name: 'Assign the sample'}).click();
  await page.getByText(/Assigned: \d+ returns created/).waitFor();
  const cliReturns = partnership.json(['review', 'list', '--audit', '1']);
  assert.ok(cliReturns.length >= 4);
  const returns = page.locator('table').filter({hasText: 'Returns of this audit'});
  assert.equal(await returns.locator('tbody tr').count(), cliReturns.length);
  for (const r of cliReturns) {
    await returns.getByRole('link', {name: `Return ${r.id}`, exact: true}).waitFor();
    assert.equal(await returns.getByRole('link', {name: `Return ${r.id}`, exact: true}).getAttribute('href'),
                 `#/reviews/${r.id}`);
  }
  const cases = page.locator('table').filter({hasText: 'Sampled cases'});
  assert.equal(await cases.locator('tbody tr').count(), 4);
  assert.match(await page.locator('.govuk-summary-list').innerText(),
               new RegExp(`${cliReturns.length} \\(0 without an auditor\\)`));
  // Assigned, the sample can no longer be drawn again.
  assert.equal(await page.getByRole('button', {name: 'Draw the sample'}).count(), 0);
  await e2e.check(page, 'audits-assigned');
  page.assertClean();
});
