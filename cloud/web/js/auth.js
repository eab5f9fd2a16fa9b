/**
 * Sign-in against a Cognito user pool with plain fetch calls to its JSON API
 * (InitiateAuth USER_PASSWORD_AUTH, RespondToAuthChallenge NEW_PASSWORD_REQUIRED,
 * REFRESH_TOKEN_AUTH, GlobalSignOut). Tokens live in localStorage so a reload keeps the
 * session; the ID token is refreshed shortly before it expires.
 */

const STORAGE_KEY = "ghela.session";
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
    default: return message || "Sign-in failed.";
  }
}

export class Auth extends EventTarget {
  constructor(config, storage = window.localStorage) {
    super();
    this.config = config;
    this.storage = storage;
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
    const data = await this.#call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.config.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    return this.#accept(data, username);
  }

  async completeNewPassword(challenge, newPassword) {
    const data = await this.#call("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: this.config.clientId,
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
    });
    return this.#accept(data, challenge.username);
  }

  #accept(data, username) {
    if (data.ChallengeName) {
      if (data.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
        throw new AuthError(`This account needs ${data.ChallengeName}, which this page does not support.`);
      }
      return { name: data.ChallengeName, session: data.Session, username };
    }
    this.#store(data.AuthenticationResult, null, "signed-in");
    return null;
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
