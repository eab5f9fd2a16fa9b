/**
 * Cognito's SRP-6a, the client's half, with BigInt and WebCrypto (no library): the
 * password never leaves the page. Cognito's constants and derivations, as the AWS SDKs
 * implement them (amazon-cognito-identity-js AuthenticationHelper); the local server checks
 * the same maths in ghela_cloud/local/srp.py, and a browser test checks the two agree.
 *
 *   k = H(N | g), A = g^a, u = H(A | B), x = H(salt | H(pool | user id | ":" | password))
 *   S = (B - k g^x)^(a + u x), key = HKDF-SHA256(S, salt u, "Caldera Derived Key")[:16]
 *   signature = HMAC-SHA256(key, pool | user id | secret block | timestamp)
 */

const N = BigInt("0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF");
const G = 2n;
const INFO = "Caldera Derived Key";
const encoder = new TextEncoder();

/** Hex as Java's BigInteger signs it: even length, 00 before a first digit of 8 or more. */
export function padHex(value) {
  let text = value.toString(16);
  if (text.length % 2) text = `0${text}`;
  return "89abcdef".includes(text[0]) ? `00${text}` : text;
}

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

async function hashHex(hex) {
  return BigInt(`0x${bytesToHex(await sha256(hexToBytes(hex)))}`);
}

async function hmac(keyBytes, message) {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
}

function mod(value) {
  return ((value % N) + N) % N;
}

function modPow(base, exponent) {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % N;
    b = (b * b) % N;
    e >>= 1n;
  }
  return result;
}

/** A fresh secret a (128 random bytes, as the SDKs use) and the public A = g^a. */
export function startSrp() {
  for (;;) {
    const a = BigInt(`0x${bytesToHex(crypto.getRandomValues(new Uint8Array(128)))}`);
    const A = modPow(G, a);
    if (A % N !== 0n) return { a, A, srpA: A.toString(16) };
  }
}

/** Cognito's TIMESTAMP: "Tue Dec 1 09:05:03 UTC 2026" (the day not padded). */
export function cognitoTimestamp(date = new Date()) {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.getUTCMonth()];
  const two = (n) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${day} ${month} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/** PASSWORD_CLAIM_SIGNATURE (base64) for the PASSWORD_VERIFIER challenge's parameters. */
export async function passwordSignature({ poolName, userId, password, salt, srpB, secretBlock, a, A, timestamp }) {
  const B = BigInt(`0x${srpB}`);
  if (B % N === 0n) throw new Error("The sign-in service sent an invalid SRP value.");
  const u = await hashHex(padHex(A) + padHex(B));
  if (u === 0n) throw new Error("The sign-in service sent an invalid SRP value.");
  const k = await hashHex(padHex(N) + padHex(G));
  const inner = bytesToHex(await sha256(encoder.encode(`${poolName}${userId}:${password}`)));
  const x = await hashHex(padHex(BigInt(`0x${salt}`)) + inner);
  const S = modPow(mod(B - k * modPow(G, x)), a + u * x);
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const key = (await hmac(prk, concat(encoder.encode(INFO), new Uint8Array([1])))).slice(0, 16);
  const block = Uint8Array.from(atob(secretBlock), (c) => c.charCodeAt(0));
  const message = concat(encoder.encode(poolName), encoder.encode(userId), block, encoder.encode(timestamp));
  return btoa(String.fromCharCode(...(await hmac(key, message))));
}
