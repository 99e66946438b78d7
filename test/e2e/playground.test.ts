// The playground in a real browser: Debian's Chromium driven headless by playwright-core, against the real
// server (real engines). Uploads jfk.wav, waits for ACTIVE, reads the transcript, clicks a timestamp and
// checks the player's time, asks a question and sees the streamed answer, deletes the file. Speakers: the legend
// shows exactly when the real analysis has speaker turns; then, because no diarized analysis can be produced end to
// end here yet, the page is reloaded with the real analysis response augmented with two speaker turns (a route
// that says so) to check the legend, the speaker colours on the transcript and the language badge.
// Screenshots (desktop and phone width) land in test-output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type Running } from './harness.js';
import { REPO_ROOT, SPEECH_DIR } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = path.join(REPO_ROOT, 'test-output');
let server: Running;
let browser: Browser;

before(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'web/dist/index.html'))) {
    execFileSync('npm', ['run', 'build:web'], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
  mkdirSync(OUT, { recursive: true });
  server = await startServer({ offline: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('upload, transcript, timestamp seek, streamed answer and delete in the browser', { timeout: 240_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), 'Debian chromium is needed: apt-get install chromium');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.fill('#api-key', 'playground-key');
  await page.dispatchEvent('#api-key', 'change');

  await page.setInputFiles('#file-input', path.join(SPEECH_DIR, 'jfk.wav'));
  // the transcript shows once the file is ACTIVE and its analysis is loaded
  const firstStamp = page.locator('#transcript button.ts').first();
  await firstStamp.waitFor({ timeout: 180_000 });
  const words = (await page.locator('#transcript').innerText()).split(/\s+/).filter((w) => /^[a-z']+$/i.test(w));
  assert.ok(words.length >= 3, `transcript words: ${words.join(' ')}`);
  assert.match(await page.locator('#detail-state').innerText(), /active/i);
  await page.screenshot({ path: path.join(OUT, 'playground-desktop.png'), fullPage: true });

  // the speaker legend follows the real analysis: shown with one row per speaker when it has turns, hidden otherwise
  const fileName = (
    (await (await fetch(`${server.url}/v1beta/files`, { headers: { 'x-goog-api-key': 'playground-key' } })).json()) as {
      files: { name: string }[];
    }
  ).files[0].name;
  const real = (await (
    await fetch(`${server.url}/v1beta/${fileName}:analysis`, { headers: { 'x-goog-api-key': 'playground-key' } })
  ).json()) as { analysis: { speakers?: { speaker: string }[] } };
  const realSpeakers = new Set((real.analysis.speakers ?? []).map((t) => t.speaker)).size;
  assert.equal(await page.locator('#speakers').isVisible(), realSpeakers > 0);
  if (realSpeakers) assert.equal(await page.locator('#speakers li').count(), realSpeakers);

  // click a later timestamp: the local player jumps there
  const stamps = page.locator('#transcript button.ts');
  const last = stamps.nth((await stamps.count()) - 1);
  const start = Number(await last.getAttribute('data-start'));
  await last.click();
  await page.waitForFunction((t) => Math.abs((document.querySelector('#player') as HTMLAudioElement).currentTime - t) < 0.5, start, {
    timeout: 10_000,
  });

  // ask: the answer streams in
  await page.fill('#question', 'Generate a transcript of the speech.');
  await page.click('#ask-btn');
  await page.waitForFunction(() => document.querySelector('#answer')?.classList.contains('done'), undefined, { timeout: 60_000 });
  const answer = await page.locator('#answer').innerText();
  assert.ok(answer.trim().split(/\s+/).length >= 3, `answer: ${answer}`);

  // a diarized analysis (the real one plus two speaker turns and a language, injected by a route): legend and colours
  await page.route('**/*:analysis', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    const a = body.analysis;
    if (a?.segments?.length) {
      const mid = (a.segments[0].start + a.segments[a.segments.length - 1].end) / 2;
      a.speakers = [
        { start: 0, end: mid, speaker: 'spk_1' },
        { start: mid, end: a.durationSec, speaker: 'spk_2' },
      ];
      a.segments = a.segments.map((s: { start: number }) => ({ ...s, language: 'en' }));
    }
    await route.fulfill({ response: res, json: body });
  });
  await page.reload();
  await page.locator('.file-open').first().click();
  await page.locator('#speakers li').first().waitFor({ timeout: 30_000 });
  const legend = await page.locator('#speakers li').allInnerTexts();
  assert.deepEqual(
    legend.map((t) => t.split(' ·')[0]),
    ['Speaker 1', 'Speaker 2'],
  );
  const colours = await page
    .locator('#speakers li')
    .evaluateAll((els) => els.map((el) => getComputedStyle(el.querySelector('.swatch')!).backgroundColor));
  assert.notEqual(colours[0], colours[1]);
  const firstSeg = page.locator('#transcript .seg').first();
  assert.equal(await firstSeg.getAttribute('data-speaker'), 'spk_1');
  assert.match(await firstSeg.locator('.spk').innerText(), /Speaker 1/);
  assert.match(await firstSeg.locator('.lang').innerText(), /en/i);
  assert.match(await page.locator('#tr-languages').innerText(), /English/);
  await page.screenshot({ path: path.join(OUT, 'playground-speakers.png'), fullPage: true });
  await page.unroute('**/*:analysis');

  // phone width stays usable
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: path.join(OUT, 'playground-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than a 375px screen`);

  // delete (the button asks for a confirming second click), then the server no longer has it
  const del = page.locator('.file-delete').first();
  await del.click();
  await del.click();
  await page.waitForFunction(() => document.querySelectorAll('.file-delete').length === 0, undefined, { timeout: 10_000 });
  const list = (await (await fetch(`${server.url}/v1beta/files`, { headers: { 'x-goog-api-key': 'playground-key' } })).json()) as {
    files?: unknown[];
  };
  assert.equal(list.files, undefined);
  assert.deepEqual(errors, []);
});
