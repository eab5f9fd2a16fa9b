/**
 * Sign-in against a Cognito user pool with plain fetch calls to its JSON API: InitiateAuth
 * USER_SRP_AUTH and RespondToAuthChallenge PASSWORD_VERIFIER (the password never leaves
 * the page, see srp.js), then NEW_PASSWORD_REQUIRED or SOFTWARE_TOKEN_MFA when Cognito
 * asks; REFRESH_TOKEN_AUTH, GlobalSignOut, and the optional authenticator app
 * (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference).
 *
 * Tokens live in sessionStorage: a reload keeps the session, closing the tab ends it, and
 * no other tab or later visitor finds the refresh token (it is valid 12 hours). The ID
 * token is refreshed shortly before it expires.
 */

import { cognitoTimestamp, passwordSignature, startSrp } from "./srp.js";

const STORAGE_KEY = "ghela.session";
const CHALLENGES = new Set(["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"]);
const REFRESH_MARGIN_MS = 2 * 60 * 1000;

export class AuthError extends Error {
  constructor(message, code = "") {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

/** The claims of a JWT (not verified: the API verifies; the page only reads exp and names). */
export function jwtClaims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = payload + "=".repeat((4 - (payload.length % 4)) % 4);
    const text = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function friendly(code, message) {
  switch (code) {
    case "NotAuthorizedException": return message || "Incorrect e-mail address or password.";
    case "UserNotFoundException": return "Incorrect e-mail address or password.";
    case "UserNotConfirmedException": return "This account is not confirmed yet.";
    case "PasswordResetRequiredException": return "A password reset is required for this account.";
    case "InvalidPasswordException": return message || "That password does not meet the rules.";
    case "TooManyRequestsException": return "Too many attempts; wait a minute and try again.";
    case "CodeMismatchException": return "That code is not right; check the app and try again.";
    case "EnableSoftwareTokenMFAException": return "That code is not right; check the app and try again.";
    default: return message || "Sign-in failed.";
  }
}

export class Auth extends EventTarget {
  constructor(config, storage = window.sessionStorage) {
    super();
    this.config = config;
    this.storage = storage;
    window.localStorage.removeItem(STORAGE_KEY); // where earlier versions of the page kept tokens
    this.session = this.#load();
    this.timer = null;
    this.refreshing = null;
    this.#schedule();
  }

  get signedIn() {
    return Boolean(this.session && (this.#fresh() || this.session.refreshToken));
  }

  get user() {
    const claims = this.session ? jwtClaims(this.session.idToken) : {};
    return claims.email || claims["cognito:username"] || claims.username || "";
  }

  async #call(target, body) {
    let response;
    try {
      response = await fetch(this.config.cognitoEndpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError("The sign-in service cannot be reached. Check the connection.", "Network");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = String(data.__type ?? "").split("#").pop();
      throw new AuthError(friendly(code, data.message ?? data.Message), code);
    }
    return data;
  }

  /** Returns null when signed in, or a challenge {name, session, username} to answer. */
  async signIn(username, password) {
    const { a, A, srpA } = startSrp();
    const started = await this.#call("InitiateAuth", {
      AuthFlow: "USER_SRP_AUTH",
      ClientId: this.config.clientId,
      AuthParameters: { USERNAME: username, SRP_A: srpA },
    });
    if (started.ChallengeName !== "PASSWORD_VERIFIER") return this.#accept(started, username);
    const params = started.ChallengeParameters;
    const timestamp = cognitoTimestamp();
    const signature = await passwordSignature({
      poolName: this.config.userPoolId.split("_")[1],
      userId: params.USER_ID_FOR_SRP,
      password,
      salt: params.SALT,
      srpB: params.SRP_B,
      secretBlock: params.SECRET_BLOCK,
      a,
      A,
      timestamp,
    });
    const data = await this.#call("RespondToAuthChallenge", {
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: this.config.clientId,
      ...(started.Session ? { Session: started.Session } : {}),
      ChallengeResponses: {
        USERNAME: params.USERNAME ?? params.USER_ID_FOR_SRP,
        PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: signature,
        TIMESTAMP: timestamp,
      },
    });
    return this.#accept(data, username);
  }

  async completeNewPassword(challenge, newPassword) {
    return this.#answer(challenge, { NEW_PASSWORD: newPassword });
  }

  /** The six digits of the authenticator app, for a SOFTWARE_TOKEN_MFA challenge. */
  async answerMfa(challenge, code) {
    return this.#answer(challenge, { SOFTWARE_TOKEN_MFA_CODE: code });
  }

  async #answer(challenge, responses) {
    const data = await this.#call("RespondToAuthChallenge", {
      ChallengeName: challenge.name,
      ClientId: this.config.clientId,
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, ...responses },
    });
    return this.#accept(data, challenge.username);
  }

  #accept(data, username) {
    if (data.ChallengeName) {
      if (!CHALLENGES.has(data.ChallengeName)) {
        throw new AuthError(`This account needs ${data.ChallengeName}, which this page does not support.`);
      }
      return { name: data.ChallengeName, session: data.Session, username };
    }
    this.#store(data.AuthenticationResult, null, "signed-in");
    return null;
  }

  /** Whether an authenticator app is on for this user (GetUser's MFA settings). */
  async totpEnabled() {
    const user = await this.#call("GetUser", { AccessToken: await this.#accessToken() });
    return (user.UserMFASettingList ?? []).includes("SOFTWARE_TOKEN_MFA");
  }

  /** Start adding an authenticator app: the shared secret (base32) for its QR code. */
  async startTotpSetup() {
    const data = await this.#call("AssociateSoftwareToken", { AccessToken: await this.#accessToken() });
    return data.SecretCode;
  }

  /** Check the app's first code and make it required at every sign-in from now on. */
  async confirmTotp(code) {
    const accessToken = await this.#accessToken();
    await this.#call("VerifySoftwareToken", { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: "Ghelamco Alert" });
    await this.#call("SetUserMFAPreference", {
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    });
  }

  async disableTotp() {
    await this.#call("SetUserMFAPreference", {
      AccessToken: await this.#accessToken(),
      SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
    });
  }

  async #accessToken() {
    if (!(await this.idToken())) throw new AuthError("Your session ended; please sign in again.", "Expired");
    return this.session.accessToken;
  }

  /** A valid ID token, refreshed if it is about to expire; null when there is no session. */
  async idToken() {
    if (!this.session) return null;
    if (!this.#fresh()) {
      const ok = await this.refresh();
      if (!ok) return null;
    }
    return this.session.idToken;
  }

  /** Refresh the tokens; true on success. A failed refresh ends the session. */
  refresh() {
    if (!this.session?.refreshToken) {
      this.signOut("expired");
      return Promise.resolve(false);
    }
    this.refreshing ??= this.#call("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: this.config.clientId,
      AuthParameters: { REFRESH_TOKEN: this.session.refreshToken },
    }).then(
      (data) => {
        this.#store(data.AuthenticationResult, this.session?.refreshToken, "refreshed");
        return true;
      },
      (error) => {
        if (error.code === "Network") return this.#fresh(); // keep the session while offline
        this.signOut("expired");
        return false;
      },
    ).finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  signOut(reason = "signed-out") {
    const accessToken = this.session?.accessToken;
    this.session = null;
    this.storage.removeItem(STORAGE_KEY);
    clearTimeout(this.timer);
    if (accessToken && reason === "signed-out") {
      // Best effort: revoke the refresh token server-side too.
      this.#call("GlobalSignOut", { AccessToken: accessToken }).catch(() => {});
    }
    this.dispatchEvent(new CustomEvent("change", { detail: { reason } }));
  }

  #store(result, previousRefreshToken, reason) {
    const claims = jwtClaims(result.IdToken);
    const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + (result.ExpiresIn ?? 3600) * 1000;
    this.session = {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken ?? previousRefreshToken,
      expiresAt,
    };
    this.storage.setItem(STORAGE_KEY, JSON.stringify(this.session));
    this.#schedule();
    this.dispatchEvent(new CustomEvent("change", { detail: { reason } }));
  }

  #load() {
    try {
      const session = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? "null");
      return session?.idToken ? session : null;
    } catch {
      return null;
    }
  }

  #fresh() {
    return Boolean(this.session && this.session.expiresAt - REFRESH_MARGIN_MS > Date.now());
  }

  #schedule() {
    clearTimeout(this.timer);
    if (!this.session) return;
    const due = Math.max(5_000, this.session.expiresAt - REFRESH_MARGIN_MS - Date.now());
    this.timer = setTimeout(() => this.refresh(), Math.min(due, 2 ** 31 - 1));
  }
}
