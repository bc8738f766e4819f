'use strict';
// First view of an entry point file in the three desk engines, from file://, a fresh browser per load:
//
//   node bench/firstview.js ENTRY.html [--runs N] [--engines chromium,firefox,webkit] [--throttle R]
//
// Prints one JSON object: per engine, the median and every run of
//   list   the first animation frame in which the home list (#lb-view[data-view=home] with a link) is
//          in the document, from navigation start (requestAnimationFrame polling: a frame the engine
//          does not render is not counted, so an engine that holds painting while it parses shows here);
//   painted the task after that frame (the frame has been handed to the compositor);
//   fcp    the engine's first-contentful-paint entry, where it has one;
//   dcl, load  DOMContentLoaded and the load event;
//   parse, parsed  the first JSON.parse (the payload of #lb-data) began and ended;
//   inflate, inflated  when the viewer's first DecompressionStream was made and its first text came out
//          (the viewer script ran, then the payload was unpacked).
// --throttle R slows Chromium's CPU R times (CDP Emulation.setCPUThrottlingRate, Lighthouse's "mid-tier"
// desk is 4); Firefox and WebKit have no such control and run at 1x. WebKit needs a display: run under
// `xvfb-run -a` (WebKitWebDriver drives MiniBrowser; LIFEBOAT_MINIBROWSER overrides its path).
//
// The page is a copy of ENTRY.html with one probe script placed just before its CSP meta tag, so that the
// page's own policy applies to everything after it, byte for byte (as in tests/browser/webkit.test.js).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const { need, CHROMIUM, median, freePort } = require('./common');

const FIREFOX = process.env.LIFEBOAT_FIREFOX || '/usr/bin/firefox-esr';
const DRIVER = process.env.LIFEBOAT_WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.LIFEBOAT_MINIBROWSER
  || ['/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'].find((p) => fs.existsSync(p));
const TIMEOUT = 180000;


// Runs in the page before anything else.
const PROBE = `<script>(function(){var t={};window.__lbfv=t;
var DS=window.DecompressionStream;if(DS){window.DecompressionStream=function(f){if(t.inflate===undefined)t.inflate=performance.now();return new DS(f);};}
var jp=JSON.parse;JSON.parse=function(x){var a=performance.now();var v=jp.apply(JSON,arguments);if(t.parsed===undefined){t.parse=a;t.parsed=performance.now();t.parsedBytes=String(x).length;}return v;};
var txt=Response.prototype.text;Response.prototype.text=function(){return txt.call(this).then(function(s){if(t.inflated===undefined)t.inflated=performance.now();return s;});};
function poll(){var v=document.getElementById('lb-view');
if(v&&v.getAttribute('data-view')==='home'&&v.querySelector('a')){t.list=performance.now();setTimeout(function(){t.painted=performance.now();},0);return;}
requestAnimationFrame(poll);}
requestAnimationFrame(poll);
document.addEventListener('DOMContentLoaded',function(){t.dcl=performance.now();});
addEventListener('load',function(){t.load=performance.now();});
try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){if(e.name==='first-contentful-paint')t.fcp=e.startTime;});}).observe({type:'paint',buffered:true});}catch(e){}
try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){if(t.list!==undefined&&t.lcp===undefined&&e.startTime>=t.list)t.lcp=e.startTime;});}).observe({type:'largest-contentful-paint',buffered:true});}catch(e){}
})();</script>`;

function probedCopy(file, dir) {
  const html = fs.readFileSync(file, 'latin1');
  const m = /<meta\b[^>]*\bhttp-equiv=["']?Content-Security-Policy\b[^>]*>/i.exec(html);
  if (!m) throw new Error(`${file}: no CSP meta tag`);
  const out = path.join(dir, path.basename(file));
  fs.writeFileSync(out, html.slice(0, m.index) + PROBE + html.slice(m.index), 'latin1');
  return pathToFileURL(out).href;
}

// Done once the list is painted and the page loaded (or 5 s after the load event without a list).
const done = () => window.__lbfv && window.__lbfv.load !== undefined
  && (window.__lbfv.painted !== undefined || performance.now() > window.__lbfv.load + 5000);

async function chromium(url, throttle) {
  const { chromium: pw } = need('playwright-core');
  const browser = await pw.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (throttle > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: throttle });
    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT });
    await page.waitForFunction(done, null, { timeout: TIMEOUT });
    return await page.evaluate(() => window.__lbfv);
  } finally {
    await browser.close();
  }
}

async function firefox(url) {
  const puppeteer = need('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT });
    await page.waitForFunction(done, { timeout: TIMEOUT });
    return await page.evaluate(() => window.__lbfv);
  } finally {
    await browser.close();
  }
}

async function webkit(url) {
  if (!process.env.DISPLAY) throw new Error('WebKit needs a display: run under xvfb-run -a');
  const port = await freePort();
  const service = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break; } catch (e) { /* not yet */ }
      if (i > 100) throw new Error('WebKitWebDriver did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { Builder } = need('selenium-webdriver');
    const d = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    try {
      await d.manage().setTimeouts({ pageLoad: TIMEOUT, script: TIMEOUT });
      await d.manage().window().setRect({ width: 1280, height: 800 });
      await d.get(url);
      await d.wait(() => d.executeScript(`return (${done})()`), TIMEOUT);
      return await d.executeScript('return window.__lbfv');
    } finally {
      await d.quit();
    }
  } finally {
    service.kill();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args.splice(i, 2)[1]; };
  const runs = Number(opt('--runs', 5));
  const engines = opt('--engines', 'chromium,firefox,webkit').split(',');
  const throttle = Number(opt('--throttle', 1));
  const file = path.resolve(args[0] || '');
  if (!args[0] || !fs.existsSync(file)) throw new Error('usage: node bench/firstview.js ENTRY.html [--runs N] [--engines chromium,firefox,webkit] [--throttle R]');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-firstview-'));
  const result = { file: path.basename(file), bytes: fs.statSync(file).size, runs, throttle, engines: {} };
  try {
    const url = probedCopy(file, temp);
    for (const engine of engines) {
      const all = [];
      for (let i = 0; i < runs; i++) {
        if (engine === 'chromium') all.push(await chromium(url, throttle));
        else if (engine === 'firefox') all.push(await firefox(url));
        else if (engine === 'webkit') all.push(await webkit(url));
        else throw new Error(`unknown engine ${engine}`);
      }
      const m = {};
      for (const k of ['parse', 'parsed', 'inflate', 'inflated', 'list', 'lcp', 'painted', 'fcp', 'dcl', 'load']) m[k] = median(all.map((r) => r[k]));
      result.engines[engine] = { cpu: engine === 'chromium' ? `${throttle}x` : '1x (no throttling control)', median: m, all };
      process.stderr.write(`${engine}: ${JSON.stringify(m)}\n`);
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
