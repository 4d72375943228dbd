// Exports in Chromium: the QA lead makes the board workbook with a reason, a board member signs in,
// sees it and downloads it; the test opens the .xlsx with openpyxl; a second download is refused.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as e2e from './support.mjs';

let partnership, server, browser;
let exportId;

before(async () => {
  partnership = new e2e.Partnership();
  e2e.reviewAudit(partnership);
  e2e.acceptCase(partnership, 1);
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

test('the QA lead makes the board workbook, with a reason required', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'qa');
  await page.getByRole('link', {name: 'Exports'}).click();
  await e2e.screen(page, 'Exports');
  await page.getByText('No exports are waiting.').waitFor();
  await page.getByRole('button', {name: 'Make the export'}).click();
  const summary = page.locator('.govuk-error-summary').filter({hasText: 'Enter the reason for the export'});
  await summary.waitFor();
  await summary.getByRole('link').click();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'reason');

  await page.getByLabel('Board workbook').check();
  await page.getByLabel('Reason for the export').fill('Board meeting, December 2026');
  await e2e.check(page, 'exports-request');
  await page.getByRole('button', {name: 'Make the export'}).click();
  await page.getByText(/Export \d+ made \(Board workbook/).waitFor();
  const list = page.locator('table').filter({hasText: 'Your exports waiting to be downloaded'});
  assert.equal(await list.locator('tbody tr').count(), 1);
  exportId = (await list.locator('tbody tr td').first().innerText()).trim();
  assert.match(exportId, /^\d+$/);
  assert.match(await list.innerText(), /Board workbook/);
  await e2e.check(page, 'exports-qa');
  page.assertClean();
  await page.context().close();
});

test('a board member downloads the workbook once; it opens; a second download is refused', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'board');
  await e2e.screen(page, 'Exports');
  const list = page.locator('table').filter({hasText: 'Board workbooks waiting for you'});
  assert.equal(await list.locator('tbody tr').count(), 1);
  // The board sees only a download: nothing to make exports with.
  assert.equal(await page.getByRole('button', {name: 'Make the export'}).count(), 0);
  const shownSha = (await list.locator('tbody tr td:nth-child(6)').innerText()).trim();
  assert.match(shownSha, /^[0-9a-f]{64}$/);
  await e2e.check(page, 'exports-board');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', {name: `Download export ${exportId}`}).click(),
  ]);
  assert.equal(download.suggestedFilename(), `pathaudit-audit-1-board-${exportId}.xlsx`);
  const file = path.join(partnership.dir, download.suggestedFilename());
  await download.saveAs(file);
  await page.getByText(`Export ${exportId} downloaded`).waitFor();
  await page.getByText('No exports are waiting.').waitFor();

  // The file is the workbook the service made: its Cover carries the reason given.
  const py = spawnSync('/usr/bin/python3', ['-c', [
    'import openpyxl, sys',
    'wb = openpyxl.load_workbook(sys.argv[1], read_only=True)',
    'print("\\n".join(wb.sheetnames))',
    'print("---")',
    'for row in wb[wb.sheetnames[0]].iter_rows(values_only=True):',
    '    print(" | ".join("" if v is None else str(v) for v in row))',
  ].join('\n'), file], {encoding: 'utf8'});
  assert.equal(py.status, 0, py.stderr);
  const [sheets, cover] = py.stdout.split('---\n');
  assert.equal(sheets.split('\n')[0], 'Cover');
  assert.ok(sheets.split('\n').includes('Summary'));
  assert.match(cover, /Board meeting, December 2026/);
  const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  assert.equal(sha, shownSha, 'the file has the SHA-256 the screen showed');

  // Delivered once: the service refuses it now.
  const second = await page.evaluate(async (id) => {
    const res = await fetch(`/api/v1/exports/${id}/file`);
    return {status: res.status, body: await res.json()};
  }, exportId);
  assert.equal(second.status, 404);
  assert.match(second.body.detail, /delivered already/);
  page.assertClean();
  await page.context().close();
});
