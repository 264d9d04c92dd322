import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server proxies the API to a running `parley serve`, so `npx vite web` gives hot reload against it.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, reportCompressedSize: true, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:3000", changeOrigin: false },
      "/sandbox": "http://127.0.0.1:3000",
      "/simulator": "http://127.0.0.1:3000",
    },
  },
});
