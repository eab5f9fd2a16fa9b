/**
 * The page's configuration, served next to it as config.json: the API's base URL and the
 * Cognito user pool (generated from the stack outputs in AWS, by the local server locally).
 */

export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json could not be loaded (HTTP ${response.status})`);
  const raw = await response.json();
  for (const key of ["apiUrl", "region", "clientId"]) {
    if (!raw[key]) throw new Error(`config.json has no ${key}`);
  }
  return {
    apiUrl: String(raw.apiUrl).replace(/\/+$/, ""),
    region: raw.region,
    userPoolId: raw.userPoolId ?? "",
    clientId: raw.clientId,
    cognitoEndpoint: raw.cognitoEndpoint || `https://cognito-idp.${raw.region}.amazonaws.com/`,
    device: raw.device ?? "",
  };
}
