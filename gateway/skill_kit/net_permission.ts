/**
 * @module
 * The `net` permission entry for a provider's base URL: host and port, the scheme's default
 * port included, so that a worker may reach that one service and not every port of the host.
 */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
}
