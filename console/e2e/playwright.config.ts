import { defineConfig } from "@playwright/test";

// Run by ConsoleIT (system-tests) against a real gateway and runtime, which it starts and names in
// GATEWAY_URL and LOOPLINE_API_KEY. Debian's Chromium, headless: Playwright's own browsers cannot
// be downloaded in this project's build environment.
export default defineConfig({
  testDir: ".",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  outputDir: process.env.E2E_OUT ?? "../target/e2e",
  reporter: [["list"]],
  use: {
    baseURL: process.env.GATEWAY_URL,
    // the browser is asked for the key (HTTP Basic) and answers with it
    httpCredentials: { username: "console", password: process.env.LOOPLINE_API_KEY ?? "" },
    viewport: { width: 1280, height: 800 },
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
