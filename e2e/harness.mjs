// What the browser tests share: the checks and their tally, and Debian's Chromium, launched
// with nothing that reaches outside this machine (no browser download works here).
import { chromium } from 'playwright-core';

export const failures = [];

export const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

export const launch = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
