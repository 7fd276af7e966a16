import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

// Structura's frontend is a plain Vite + React app embedded by Wails
// (see docs/adr/0001-wails-react-vite.md).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
})
