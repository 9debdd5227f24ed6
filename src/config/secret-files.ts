import { posix } from "node:path";

/**
 * File names that usually hold credentials: dotenv files, keys and certificates' private halves,
 * package-manager and netrc logins, cloud credentials. Copying one into a workspace hands it to
 * the agent, so gaffer.toml must say `copy_secrets = true` for that.
 */
const SECRET_FILE_NAMES: readonly RegExp[] = [
  /^\.env(\..*)?$/,
  /\.env$/,
  /\.(pem|key|p12|pfx|jks|keystore|asc|gpg|ppk|kdbx)$/,
  /^id_[a-z0-9]+$/,
  /^\.(npmrc|yarnrc\.yml|pypirc|netrc|pgpass|git-credentials|htpasswd|dockercfg)$/,
  /^_netrc$/,
  /credential/,
  /secret/,
  /^(service-account|serviceaccount).*\.json$/,
  /^auth\.json$/,
];

/** Whether `path` (relative, any separator) names a file that looks like it holds secrets. */
export function isSecretFileName(path: string): boolean {
  const name = posix.basename(path.replaceAll("\\", "/")).toLowerCase();
  return SECRET_FILE_NAMES.some((pattern) => pattern.test(name));
}
