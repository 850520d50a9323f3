/** Called when a watched znode is created, deleted or changed. All methods are optional. */
export interface ZNodeChangeHandler {
  readonly path: string;
  handleCreation?(): void;
  handleDeletion?(): void;
  handleDataChange?(): void;
}

/** Called when a watched znode's children change. */
export interface ZNodeChildChangeHandler {
  readonly path: string;
  handleChildChange?(): void;
}

/**
 * Session lifecycle callbacks. On expiry the client calls every `beforeInitializingSession`, opens a
 * new session, then calls every `afterInitializingSession`; a throwing handler does not stop the others.
 */
export interface StateChangeHandler {
  readonly name: string;
  beforeInitializingSession?(): void | Promise<void>;
  afterInitializingSession?(): void | Promise<void>;
  onAuthFailure?(): void;
}
