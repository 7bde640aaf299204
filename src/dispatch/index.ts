export { LocalDispatcher, createLocalDispatcher, type LocalDispatcherOptions } from "./local.js";
