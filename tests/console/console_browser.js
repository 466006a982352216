// The console and status page in a real browser (Debian's chromium driven by playwright-core from
// web/package-lock.json), against the real stack console_browser_test.cc started: log in, create a
// check through the form, watch it go UP then DOWN on the overview without reloading, see its
// bars and chart, and the XSS cases in the rendered DOM. Screenshots go to SCREENSHOT_DIR.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { chromium } = require(path.join(process.env.LOKAHI_WEB_DIR, 'node_modules', 'playwright-core'));

const base = process.env.LOKAHI_URL;
const user = process.env.LOKAHI_USER;
const password = process.env.LOKAHI_PASSWORD;
const shots = process.env.SCREENSHOT_DIR;
const dukePort = Number(process.env.DUKE_PORT);
const started = Date.now();

function step(name) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${name}`);
}

async function waitForListening(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch (e) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let duke;
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const scriptErrors = [];
    page.on('pageerror', (e) => scriptErrors.push(String(e)));
    page.on('console', (m) => {
      // Answers the test asks for (401, 400) are logged as failed loads: only script errors and
      // Content-Security-Policy refusals count.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        scriptErrors.push(m.text());
      }
    });

    step('without a session: 401 and the login form');
    const first = await page.goto(`${base}/`);
    assert.equal(first.status(), 401);
    await page.locator('form[action="/login"]').waitFor();
    await page.screenshot({ path: path.join(shots, 'login.png') });

    step('log in through the form');
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'lokahi_session');
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');

    step('the API refusal shows at its field, as text');
    await page.goto(`${base}/checks/new`);
    const hostile = 'javascript:<img src=x onerror="window.__xss=1">';
    await page.fill('input[name=url]', hostile);
    await page.fill('input[name=webhook_url]', 'http://127.0.0.1:9/hook');
    await page.click('form.check-form button[type=submit]');
    await page.locator('#error-url').waitFor();
    assert.ok((await page.textContent('#error-url')).includes('<img src=x'));
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.inputValue('input[name=url]'), hostile);

    step('create a check through the form');
    duke = spawn(process.env.DUKE_BINARY, [], {
      env: { ...process.env, PORT: String(dukePort), DUKE_PERIOD: process.env.DUKE_PERIOD || '12' },
      stdio: 'ignore',
    });
    await waitForListening(dukePort, 10000);
    await page.fill('input[name=url]', `http://127.0.0.1:${dukePort}/?name="><script>window.__xss=2</script>`);
    await page.fill('input[name=every]', '1');
    await page.fill('input[name=timeout_ms]', '1000');
    await page.fill('input[name=playbook_url]', 'https://wiki.example.com/<b>duke</b>');
    await page.fill('input[name=name]', '<img src=x onerror="window.__xss=3"> Duke');
    await page.fill('input[name=labels]', 'public=true, team=web');
    await Promise.all([page.waitForURL(/\/checks\/[0-9a-f-]{36}\?done=created$/), page.click('form.check-form button[type=submit]')]);
    const id = page.url().match(/\/checks\/([0-9a-f-]{36})/)[1];
    assert.equal(await page.textContent('.notice'), 'Check created.');
    assert.equal(await page.textContent('h1.check-title'), '<img src=x onerror="window.__xss=3"> Duke');
    assert.ok((await page.textContent('p.check-url')).includes('<script>window.__xss=2</script>'));
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('main b').count(), 0);

    step('the overview shows it UP, then DOWN, without reloading');
    await page.goto(`${base}/`);
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.locator('li[data-state="UP"] .n', { hasText: /^1$/ }).waitFor({ timeout: 20000 });
    step('UP');
    await page.locator(`table.failing tr[data-check="${id}"]`).waitFor({ timeout: 40000 });
    assert.equal(await page.textContent(`table.failing tr[data-check="${id}"] .state`), 'DOWN');
    assert.equal(await page.textContent('li[data-state="DOWN"] .n'), '1');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    assert.ok((await page.textContent(`table.failing tr[data-check="${id}"]`)).includes('since'));
    step('DOWN');
    await page.screenshot({ path: path.join(shots, 'overview.png'), fullPage: true });

    step('the check page draws 90 bars and the latency chart');
    await page.goto(`${base}/checks/${id}`);
    assert.equal(await page.locator('svg.bars rect').count(), 90);
    const today = await page.locator('svg.bars rect').last();
    assert.match(await today.locator('title').textContent(), /% up \(\d+ of \d+ probes\)/);
    await page.locator('#latency-chart[data-drawn="24h"] canvas').waitFor({ timeout: 10000 });
    assert.match(await page.textContent('.reason'), /Last failure: HTTP 500/);
    await page.locator('table.transitions tr').nth(2).waitFor();
    await page.click('.chart-windows button[data-window="7d"]');
    await page.locator('#latency-chart[data-drawn="7d"] canvas').waitFor({ timeout: 10000 });
    await page.screenshot({ path: path.join(shots, 'check.png'), fullPage: true });

    step('the public status page and the badge, without credentials');
    const visitor = await browser.newContext({ viewport: { width: 1200, height: 700 } });
    const outsider = await visitor.newPage();
    outsider.on('pageerror', (e) => scriptErrors.push(String(e)));
    const status = await outsider.goto(`${base}/status`);
    assert.equal(status.status(), 200);
    assert.equal(status.headers()['cache-control'], 'public, max-age=30');
    await outsider.locator(`section.status-check[data-check="${id}"]`).waitFor();
    assert.equal(await outsider.textContent(`section.status-check[data-check="${id}"] h2`),
      '<img src=x onerror="window.__xss=3"> Duke');
    assert.equal(await outsider.locator('main img').count(), 0);
    assert.equal(await outsider.evaluate(() => window.__xss), undefined);
    assert.equal(await outsider.getAttribute('p.banner', 'data-banner'), 'major_outage');
    const bars = outsider.locator(`section.status-check[data-check="${id}"] svg.bars path`);
    assert.match(await bars.last().locator('title').textContent(), /^1 days up less than 95 %$/);
    assert.equal(((await bars.first().getAttribute('d')).match(/h6v34h-6z/g) || []).length, 89);
    const publicHtml = await outsider.content();
    for (const secret of [String(dukePort), 'wiki.example.com', '127.0.0.1:9/hook', 'team']) {
      assert.ok(!publicHtml.includes(secret), `${secret} on the public page`);
    }
    await outsider.screenshot({ path: path.join(shots, 'status.png'), fullPage: true });
    const badge = await outsider.goto(`${base}/badge/${id}.svg`);
    assert.equal(badge.status(), 200);
    assert.equal(badge.headers()['content-type'], 'image/svg+xml');
    assert.ok((await badge.text()).includes('>DOWN</text>'));
    await outsider.screenshot({ path: path.join(shots, 'badge.png') });
    await visitor.close();

    step('pause and resume from the check page');
    await page.goto(`${base}/checks/${id}`);
    await Promise.all([page.waitForURL(/done=pause$/), page.click('form[action$="/pause"] button')]);
    assert.ok((await page.textContent('.check-state')).includes('paused'));
    await Promise.all([page.waitForURL(/done=resume$/), page.click('form[action$="/resume"] button')]);
    step('acknowledge a raised alert for 4 hours with a note');
    const submitted = await fetch(`${base}/twirp/github.xe.lokahi.Alerts/Submit`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'),
      },
      body: JSON.stringify({ alerts: [{ id: 'disk-full', source: 'db1', subject: '<b>Disk</b> full',
        detail: '<script>window.__xss=4</script> /var at 99 %', raise: 'now' }] }),
    });
    assert.equal(submitted.status, 200, await submitted.text());
    const raisedRow = page.locator('section.raised tr[data-alert="db1/disk-full"]');
    for (let i = 0; i < 50 && !(await raisedRow.count()); i++) {
      await page.goto(`${base}/alerts`);
      if (!(await raisedRow.count())) await new Promise((r) => setTimeout(r, 200));
    }
    await raisedRow.waitFor({ timeout: 1000 });
    assert.equal(await raisedRow.locator('td.subject').textContent(), '<b>Disk</b> full');
    assert.ok((await raisedRow.locator('td.detail').textContent()).startsWith('<script>'));
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.goto(`${base}/`);
    await page.locator('table.raised-alerts', { hasText: '<b>Disk</b> full' }).waitFor();
    await page.goto(`${base}/alerts`);
    await raisedRow.locator('select[name=for]').selectOption('14400');
    await raisedRow.locator('input[name=note]').fill('on it <i>now</i>');
    await Promise.all([page.waitForURL(/done=acknowledged$/), raisedRow.locator('form.ack button').click()]);
    const acked = page.locator('section.acknowledged tr[data-alert="db1/disk-full"]');
    await acked.waitFor();
    assert.equal(await acked.locator('q.note').textContent(), 'on it <i>now</i>');
    assert.match(await acked.textContent(), /acknowledged by admin until/);
    await page.screenshot({ path: path.join(shots, 'alerts.png'), fullPage: true });

    step('the checks list');
    await page.goto(`${base}/checks`);
    await page.locator(`tr[data-check="${id}"]`).waitFor();
    assert.equal(await page.textContent(`tr[data-check="${id}"] td.labels`), 'public=true, team=web');
    step('the checks list filters by search and label, and says when nothing matches');
    await page.fill('form.filters input[name=q]', 'Duke');
    await page.fill('form.filters input[name=selector]', 'team=web');
    await Promise.all([page.waitForURL(/q=Duke&state=&selector=team%3Dweb&sort=$/), page.click('form.filters button[type=submit]')]);
    assert.equal(await page.locator('table.checks tr[data-check]').count(), 1);
    await page.locator(`tr[data-check="${id}"]`).waitFor();
    await page.screenshot({ path: path.join(shots, 'checks.png'), fullPage: true });
    await page.fill('form.filters input[name=selector]', 'team=nobody');
    await Promise.all([page.waitForURL(/team%3Dnobody&sort=$/), page.click('form.filters button[type=submit]')]);
    assert.equal(await page.locator('table.checks tr[data-check]').count(), 0);
    assert.equal(await page.inputValue('form.filters input[name=q]'), 'Duke');
    await page.fill('form.filters input[name=selector]', '');
    await page.selectOption('form.filters select[name=sort]', 'state');
    await Promise.all([page.waitForURL(/sort=state$/), page.click('form.filters button[type=submit]')]);
    await page.locator(`tr[data-check="${id}"]`).waitFor();
    assert.equal(await page.inputValue('form.filters select[name=sort]'), 'state');

    assert.deepEqual(scriptErrors, [], 'no script errors (a CSP refusal shows as one)');
    step('done');
  } finally {
    if (duke) duke.kill('SIGTERM');
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
