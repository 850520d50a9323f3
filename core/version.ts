// The package's version, for `kmeta --version` and what the server tells tools (a test holds it to package.json).
export const VERSION = "0.1.0";
