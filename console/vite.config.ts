import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The gateway serves the build from its classpath under /console (the Maven module packages
// target/classes), so every asset is addressed below /console/.
export default defineConfig({
  base: "/console/",
  plugins: [preact()],
  build: {
    outDir: "target/classes/dev/loopline/console",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // the definition editor's chunk (CodeMirror, Ajv) is about 550 kB; it loads with that view only
    chunkSizeWarningLimit: 600,
  },
});
