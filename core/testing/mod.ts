/**
 * Test helpers: a controllable clock for the memory store and clients built on it.
 * @module
 */
export { FakeClock } from "./fake_clock.ts";
