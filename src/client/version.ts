/** Sent as `X-TC-RequestClient: tcdeals-client/<version>`; a test keeps it equal to package.json's version. */
export const CLIENT_VERSION = '0.1.0';
export const REQUEST_CLIENT = `tcdeals-client/${CLIENT_VERSION}`;
