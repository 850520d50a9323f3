/**
 * Test helpers: a controllable clock, and an in-process byte stream to put a fake server behind a store.
 * @module
 */
export { FakeClock } from "./fake_clock.ts";
export { createChannelPair } from "./channel_pair.ts";
export type { ChannelPair } from "./channel_pair.ts";
export { FakeEtcd } from "./fake_etcd.ts";
