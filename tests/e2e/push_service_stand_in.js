// The push service headless Chromium lacks, in place of PushManager.prototype.subscribe
// only (tests/e2e/test_page_notifications.py says why). It checks the options as the Push
// API does, makes the subscription's keys as a browser does (an ECDH P-256 pair and a
// 16-byte auth secret, with WebCrypto), keeps the private half for the test to decrypt
// with, and answers the endpoint a push service would give: the test's push endpoint.
(endpoint) => {
  const b64url = (bytes) =>
    btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  window.realSubscribe = PushManager.prototype.subscribe;
  PushManager.prototype.subscribe = async function (options) {
    if (!(this instanceof PushManager)) throw new TypeError("Illegal invocation");
    if (options?.userVisibleOnly !== true) {
      throw new DOMException("userVisibleOnly must be true", "NotAllowedError");
    }
    const key = options.applicationServerKey;
    const serverKey = ArrayBuffer.isView(key)
      ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength).slice()
      : new Uint8Array(key);
    if (serverKey.length !== 65 || serverKey[0] !== 4) {
      throw new DOMException("applicationServerKey is not a P-256 public key", "InvalidAccessError");
    }
    const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const p256dh = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    window.pushTest = { serverKey: b64url(serverKey), privateJwk, auth: b64url(auth) };
    const json = { endpoint, expirationTime: null, keys: { p256dh: b64url(p256dh), auth: b64url(auth) } };
    return {
      endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: serverKey.buffer },
      getKey: (name) => (name === "p256dh" ? p256dh.buffer : name === "auth" ? auth.buffer : null),
      toJSON: () => json,
      unsubscribe: async () => true,
    };
  };
}
