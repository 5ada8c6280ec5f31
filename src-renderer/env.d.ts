// Types the bundler provides to renderer modules (stylesheet imports, import.meta.env).
/// <reference types="vite/client" />
