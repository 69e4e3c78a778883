export * as TestServer from "./TestServer.js"
