export * as SqlTokenStore from "./SqlTokenStore.js"
