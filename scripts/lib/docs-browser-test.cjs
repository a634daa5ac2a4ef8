// Run by scripts/docs-browser-test.sh (which sets NODE_PATH to its playwright-core): drives
// headless Chromium through the interactive docs at /docs like a person would. Open the page,
// Authorize with a bearer token, open "Retrieve a customer", Try it out, fill the account and
// customer ids, Execute, and read the answer the page shows. Any request the page makes beyond
// the server fails the test: the docs must work without the internet.
//
// Environment: BASE_URL, TOKEN, ACCOUNT_ID, CUSTOMER_ID, CUSTOMER_NAME, CHROMIUM (executable),
// ARTIFACTS (a folder for a screenshot and the page's text when a step fails).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`docs browser test: ${name} is not set`);
    process.exit(2);
  }
  return value;
};
const base = env('BASE_URL');
const token = env('TOKEN');
const account = env('ACCOUNT_ID');
const customer = env('CUSTOMER_ID');
const name = env('CUSTOMER_NAME');
const executablePath = env('CHROMIUM');
const artifacts = env('ARTIFACTS');

const CUSTOMER_PATH = '/api/v1/accounts/{account_id}/customers/{id}';
const STEP_TIMEOUT_MS = 15_000;

class Failure extends Error {}
const check = (condition, message) => {
  if (!condition) throw new Failure(message);
};

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // What this machine needs: no sandbox as root, no GPU, and none of Chromium's own calls home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);

  // Everything the page asks beyond the server is refused and remembered.
  const outside = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    outside.push(url);
    return route.abort();
  });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // The request "Execute" sends, as the server saw it.
  let apiCall = null;
  const customerUrl = `${base}/api/v1/accounts/${account}/customers/${customer}`;
  page.on('response', (response) => {
    if (response.url() === customerUrl && response.request().method() === 'GET') {
      apiCall = {
        status: response.status(),
        authorization: response.request().headers()['authorization'],
      };
    }
  });

  let step = 'start';
  try {
    step = 'open /docs';
    const opened = await page.goto(`${base}/docs`, { waitUntil: 'load' });
    check(opened && opened.ok(), `GET /docs ended in ${opened && opened.status()}`);
    check(page.url() === `${base}/docs/`, `/docs did not lead to /docs/ but to ${page.url()}`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'supportdesk' }).waitFor();

    step = 'authorize with the bearer token';
    await page.locator('.auth-wrapper button.authorize').click();
    const bearer = page.locator('.modal-ux .auth-container').filter({ hasText: 'bearer' });
    check((await bearer.count()) === 1, 'the Authorize dialog has no "bearer" scheme');
    await bearer.locator('input').fill(token);
    await bearer.locator('button.authorize').click();
    // Authorized: the scheme now offers to log out.
    await bearer.locator('button', { hasText: 'Logout' }).waitFor();
    await bearer.locator('button.btn-done').click();
    await page.locator('.modal-ux').waitFor({ state: 'detached' });

    step = 'open GET customer';
    const operation = page
      .locator('.opblock.opblock-get')
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${CUSTOMER_PATH}"]`) });
    check((await operation.count()) === 1, `no single GET ${CUSTOMER_PATH} in the page`);
    await operation.locator('.opblock-summary-control').click();

    step = 'try it out';
    await operation.locator('button.try-out__btn', { hasText: 'Try it out' }).click();
    await operation.locator('tr[data-param-name="account_id"] input').fill(account);
    await operation.locator('tr[data-param-name="id"] input').fill(customer);
    await operation.locator('button.execute').click();

    step = 'read the response shown';
    const live = operation.locator('.live-responses-table .response');
    await live.first().waitFor();
    const status = (await live.first().locator('.response-col_status').innerText()).trim();
    const body = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
    check(status === '200', `the page shows status ${status}, not 200; body: ${body.slice(0, 500)}`);
    check(body.includes(name), `the response shown lacks the customer's name ${name}: ${body.slice(0, 500)}`);
    check(apiCall !== null, `the page never requested ${customerUrl}`);
    check(apiCall.status === 200, `the server answered ${apiCall.status}`);
    check(
      apiCall.authorization === `Bearer ${token}`,
      `the request did not carry the token (Authorization: ${apiCall.authorization})`,
    );

    step = 'stay offline';
    check(outside.length === 0, `the page asked for ${outside.length} outside URL(s): ${outside.join(', ')}`);
    check(pageErrors.length === 0, `script errors in the page: ${pageErrors.join('; ')}`);
  } catch (error) {
    fs.mkdirSync(artifacts, { recursive: true });
    const shot = path.join(artifacts, 'failure.png');
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    const text = await page.locator('body').innerText().catch(() => '');
    fs.writeFileSync(path.join(artifacts, 'failure.txt'), text);
    console.error(`docs browser test: FAILED at "${step}": ${error.message}`);
    if (outside.length) console.error(`  outside requests: ${outside.join(', ')}`);
    if (pageErrors.length) console.error(`  page errors: ${pageErrors.join('; ')}`);
    console.error(`  screenshot and page text in ${artifacts}/`);
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  console.log(
    `docs browser test: /docs authorized, GET customer ${customer} tried out: 200 with "${name}"`,
  );
}

main().catch((error) => {
  console.error(`docs browser test: FAILED: ${error.stack || error}`);
  process.exit(1);
});
